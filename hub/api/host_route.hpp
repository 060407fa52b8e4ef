// The per-host REST paths: /api/hosts/ID and /api/hosts/ID/history, with ID
// percent-encoded, and which routes are long to answer. Split out of the
// router so they are tested (and fuzzed) alone.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace telehub::hub {

inline constexpr std::string_view hosts_path_prefix = "/api/hosts/";

struct HostRoute {
    std::string host_id;  // decoded (a '/' in it came as %2F); never empty
    bool history = false;
};

// `path` without its query. nullopt when it is not under /api/hosts/ or its
// id is empty, malformed percent-encoding or holds a raw '/'.
std::optional<HostRoute> parse_host_route(std::string_view path);

// Routes whose replies take milliseconds to build at fleet size (every host's
// summary, a host's history with its minute tier, the fleet's processes):
// megabytes that would hold up an io thread's agents while being written,
// so the HTTP session serves them from the hub's background thread.
bool long_reply_route(std::string_view path);

}  // namespace telehub::hub
