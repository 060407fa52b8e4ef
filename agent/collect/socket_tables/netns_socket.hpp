// A sock_diag socket bound to another network namespace. A netlink socket
// belongs to the namespace of the thread that created it, for its whole
// life, so a short-lived helper thread joins the namespace (setns), makes
// the socket and exits; the agent's own threads never leave theirs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace telehub::agent {

// The fd of a new NETLINK_SOCK_DIAG socket inside the namespace `netns_fd`
// names (an open /proc/PID/ns/net), or -1 with `err` set to the errno of the
// step that failed: EPERM from setns without CAP_SYS_ADMIN is the usual one.
int open_sock_diag_in(int netns_fd, int& err);

// "net:[4026531993]" (the target of /proc/PID/ns/net) -> 4026531993.
std::optional<std::uint64_t> parse_netns_link(std::string_view target);

}  // namespace telehub::agent
