// The socket tables of every network namespace that has processes, beside
// the agent's own. Each tick the processes are grouped by the inode of
// /proc/PID/ns/net (read every tick: a process may unshare or setns at any
// time, and a readlink costs about a microsecond). Each other namespace is
// dumped over a sock_diag socket made inside it (netns_socket.hpp), kept
// with an fd of the namespace while any process is in it and closed the
// first tick none is, so the namespace is not kept alive by the agent.
// Where setns is refused (no CAP_SYS_ADMIN), with --no-setns, or with
// --no-netlink, the namespace's tables are read from /proc/PID/net of its
// lowest pid instead; a refused setns is retried once a minute.
//
// Over netlink, a namespace's TCP and UDP dumps are skipped on a tick when
// they cannot have changed, and the last dump's entries are used again: its
// counters (netns_counters.hpp) are what they were at that dump, and none of
// its TCP sockets was in a state a timer moves on its own (SYN_SENT,
// SYN_RECV, FIN_WAIT1/2, CLOSING, LAST_ACK, TIME_WAIT). A dump walks the whole
// established hash of the kernel, shared by every namespace, so an idle
// container costs a few file reads instead. UNIX sockets (a table of each
// namespace's own, cheap to walk) are dumped every tick, and every namespace
// is dumped in full at least every `full_dump_ticks` ticks, for what no
// counter shows: a TCP socket bound and left unlistened (state CLOSE in a
// dump since Linux 6.9).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/collect/proc/proc.hpp"
#include "agent/collect/socket_tables/socket_tables.hpp"

namespace telehub::agent {

// One namespace as the last read() saw it. Slot 0 is the agent's own.
struct NetnsSlot {
    std::uint64_t inode = 0;  // 0 for the agent's own when /proc/self/ns/net is unreadable
    const char* source = "";  // "netlink", "proc", or "" when neither could be read (slot 0: set by the caller)
    std::size_t lowest = 0;   // index in the ProcessList of its lowest pid
    std::uint32_t processes = 0;
    std::string error;        // why netlink was not used or the table is missing; empty when all went well
};

class NetnsTables {
public:
    static constexpr std::uint16_t no_slot = 0xFFFF;
    static constexpr unsigned full_dump_ticks = 30;

    NetnsTables(std::string proc_root, bool use_netlink, bool use_setns);
    ~NetnsTables();
    NetnsTables(const NetnsTables&) = delete;
    NetnsTables& operator=(const NetnsTables&) = delete;

    // Groups `procs` by namespace and appends the sockets of every namespace
    // but the agent's to `table`, each entry's `netns` set to its slot.
    void read(const ProcessList& procs, SocketTable& table);

    // Slots of the last read(), the agent's own first (even with no process).
    const std::vector<NetnsSlot>& slots() const { return slots_; }
    // The slot of procs[i] at the last read(); no_slot when its namespace
    // could not be read (another user's process, when not root).
    std::uint16_t slot_of(std::size_t i) const { return i < proc_slots_.size() ? proc_slots_[i] : no_slot; }

private:
    struct Namespace;
    void read_one(Namespace& ns, NetnsSlot& slot, int pid, std::uint16_t index, SocketTable& table);
    bool dump_netlink(Namespace& ns, int pid, SocketTable& table);

    std::string proc_root_;
    DirFd proc_;
    bool use_netlink_;
    bool use_setns_;
    std::uint64_t own_inode_ = 0;
    std::uint64_t tick_ = 0;
    std::unordered_map<std::uint64_t, std::unique_ptr<Namespace>> namespaces_;
    std::vector<Namespace*> order_;  // this tick's namespaces by slot (slot - 1)
    std::vector<NetnsSlot> slots_;
    std::vector<std::uint16_t> proc_slots_;
    std::string link_;  // scratch
    std::string counters_, counters_scratch_;
};

}  // namespace telehub::agent
