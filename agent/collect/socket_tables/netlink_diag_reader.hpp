// The I/O half of the netlink source: one NETLINK_SOCK_DIAG socket kept open
// between ticks, a receive buffer reused (one per thread, for every reader), replies handed to parse_diag_chunk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collect/socket_tables/socket_table.hpp"

namespace telehub::agent {

class NetlinkDiagReader {
public:
    NetlinkDiagReader();
    // Dumps the network namespace `netns_fd` names (an open /proc/PID/ns/net,
    // owned by the caller and kept open while this reader lives) instead of
    // the agent's own: the socket is made inside it (open_sock_diag_in).
    explicit NetlinkDiagReader(int netns_fd);
    ~NetlinkDiagReader();
    NetlinkDiagReader(const NetlinkDiagReader&) = delete;
    NetlinkDiagReader& operator=(const NetlinkDiagReader&) = delete;

    // Appends every socket of one dump to `out`: `family` tcp/udp/raw with
    // `af` AF_INET or AF_INET6, or unix (af ignored). On failure `out` is
    // back to its size on entry, error() says why, and the socket is closed
    // so the next call starts clean.
    bool dump(SocketFamily family, int af, SocketTable& out);

    const std::string& error() const { return error_; }

private:
    bool fail(std::string_view what, int err);
    bool open();
    void close();

    int fd_ = -1;
    int netns_fd_ = -1;
    std::uint32_t seq_ = 0;
    std::string error_;
};

}  // namespace telehub::agent
