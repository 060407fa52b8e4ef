// The socket collector the sampler calls once per tick: the host socket
// table (sock_diag netlink, or /proc/net when netlink is refused), who owns
// each socket, host-wide counts and the top K processes by socket count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/collect/socket_tables/socket_tables.hpp"
#include "agent/collect/proc/proc.hpp"
#include "agent/collect/sockets/netns_tables.hpp"
#include "agent/collect/sockets/socket_inode_index.hpp"
#include "agent/collect/sockets/socket_owner_map.hpp"
#include "telehub/sample.hpp"

namespace telehub::agent {

class SocketCollector {
public:
    /* top 10 processes by socket count unless the caller asks otherwise */
    static constexpr std::size_t default_top_k = 10;

    // `proc_root`: /proc, or a recorded tree in tests (then use_netlink=false,
    // since netlink always describes the live kernel).
    // `use_setns`: false reads other namespaces from /proc/PID/net (--no-setns).
    // `keep_addresses`: the table keeps each socket's addresses, for the
    // connections report; the sampler, which never prints them, does not.
    explicit SocketCollector(std::string proc_root = "/proc", bool use_netlink = true, bool use_setns = true,
                             bool keep_addresses = true);

    // One tick, over every network namespace with processes. Host-wide
    // counts (tcp, udp, unix, raw, unattributed, source) are the agent's own
    // namespace's; `netns` has one entry per namespace (the agent's first),
    // owners named from `procs` (containers are the caller's). by_process holds the top `top_k`
    // processes by total (ties by pid), named from `procs`. Returns false only
    // when neither netlink nor /proc/net could be read: then the counts are
    // zero, source is empty and error() says why.
    bool collect(const ProcessList& procs, std::size_t top_k, telehub::HostSockets& out);

    // The last collect()'s counts for one process (zeros for an unknown pid).
    telehub::SocketCounts counts_for(int pid) const;

    // The last collect()'s table, and the lowest pid holding the socket at
    // position `pos` of it (-1: none found). For the connections report.
    const SocketTable& table() const { return table_; }
    int owner_at(std::size_t pos) const { return owners_.owner_at(static_cast<std::uint32_t>(pos)); }

    // Why netlink was not used, or why collect() failed; empty when all went well.
    const std::string& error() const { return error_; }
    const OwnerMapStats& stats() const { return owners_.stats(); }
    // The last collect()'s owner map and table index, for the churn collector.
    const SocketOwnerMap& owners() const { return owners_; }
    const SocketInodeIndex& index() const { return index_; }
    const NetnsTables& namespaces() const { return netns_; }

private:
    bool read_table(const ProcessList& procs);
    bool read_own_table();
    void fill_netns(const ProcessList& procs, telehub::HostSockets& out);
    void index_table();
    void fill_counts(const ProcessList& procs, std::size_t top_k, telehub::HostSockets& out);

    bool use_netlink_;
    unsigned netlink_retry_in_ = 0;  // ticks until netlink is tried again after a refusal
    bool raw_diag_ = true;           // false once the kernel has shown it has no raw_diag
    const char* source_ = "";
    NetlinkDiagReader netlink_;
    ProcNetReader proc_net_;
    NetnsTables netns_;
    SocketOwnerMap owners_;
    SocketInodeIndex index_;
    SocketTable table_;
    std::vector<std::pair<std::uint32_t, int>> ranking_;  // (total, pid), scratch
    std::string error_;
};

}  // namespace telehub::agent
