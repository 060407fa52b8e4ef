#include "hub/api/host_route.hpp"

#include "hub/http/http.hpp"

namespace telehub::hub {

std::optional<HostRoute> parse_host_route(std::string_view path) {
    if (!path.starts_with(hosts_path_prefix)) return std::nullopt;
    auto rest = path.substr(hosts_path_prefix.size());
    HostRoute route;
    constexpr std::string_view history_suffix = "/history";
    if (rest.size() > history_suffix.size() && rest.ends_with(history_suffix)) {
        rest.remove_suffix(history_suffix.size());
        route.history = true;
    }
    // Split on the raw path, then decode: an id an agent sent with a '/' in
    // it is reached as %2F (it was accepted at its hello, so it must be).
    if (rest.find('/') != std::string_view::npos) return std::nullopt;
    auto id = url_decode(rest, false);
    if (!id || id->empty()) return std::nullopt;
    route.host_id = std::move(*id);
    return route;
}

bool long_reply_route(std::string_view path) {
    if (path == "/api/hosts" || path == "/api/fleet/processes") return true;
    auto route = parse_host_route(path);
    return route && route->history;
}

}  // namespace telehub::hub
