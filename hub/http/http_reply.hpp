// An HTTP answer as plain data, so routes are tested with strings and never
// see the network library. Every error is {"error":{"code":..,"message":..}}
// with its status.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace telehub::hub {

struct HttpReply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::string allow;  // for 405: the methods the route takes
    std::vector<std::pair<std::string, std::string>> headers;  // any others (Content-Disposition, WWW-Authenticate)
};

HttpReply error_reply(int status, std::string_view code, std::string_view message);

// The Allow header for a route's methods: the hub answers HEAD wherever it
// answers GET, so a list with GET gains HEAD ("GET, PUT" -> "GET, HEAD, PUT").
std::string allow_header(std::string_view methods);

// What a status line can carry. A status that came from elsewhere (another
// hub's answer) is checked against it before it is used.
constexpr bool is_http_status(long long status) { return status >= 100 && status <= 599; }

}  // namespace telehub::hub
