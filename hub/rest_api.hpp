// The HTTP routes that are not WebSockets: REST under /api, /healthz, and
// static files for everything else. Independent of the network library so it
// is tested with plain strings. Every error is
// {"error":{"code":..,"message":..}} with its status.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace telehub::hub {

struct HubContext;

struct HttpReply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::string allow;  // for 405: the methods the route takes
    std::vector<std::pair<std::string, std::string>> headers;  // any others (Content-Disposition, WWW-Authenticate)
};

HttpReply error_reply(int status, std::string_view code, std::string_view message);

// `method` as sent ("GET"), `target` the request target with its query.
HttpReply route_http(HubContext& ctx, std::string_view method, std::string_view target);

}  // namespace telehub::hub
