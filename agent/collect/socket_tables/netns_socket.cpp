#include "agent/collect/socket_tables/netns_socket.hpp"

#include <cerrno>
#include <thread>

#include <sched.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "agent/collect/proc/proc.hpp"

namespace telehub::agent {

int open_sock_diag_in(int netns_fd, int& err) {
    int fd = -1;
    err = 0;
    // The thread ends inside the other namespace; nothing else runs on it.
    std::thread helper([&] {
        if (::setns(netns_fd, CLONE_NEWNET) != 0) {
            err = errno;
            return;
        }
        fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd < 0) err = errno;
    });
    helper.join();
    return fd;
}

std::optional<std::uint64_t> parse_netns_link(std::string_view target) {
    constexpr std::string_view prefix = "net:[";
    if (!target.starts_with(prefix) || !target.ends_with(']')) return std::nullopt;
    target.remove_prefix(prefix.size());
    target.remove_suffix(1);
    std::uint64_t inode = 0;
    if (!to_u64(target, inode) || inode == 0) return std::nullopt;
    return inode;
}

}  // namespace telehub::agent
