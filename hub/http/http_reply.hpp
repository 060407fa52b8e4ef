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

}  // namespace telehub::hub
