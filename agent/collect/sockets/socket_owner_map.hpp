// Which process holds each socket of the host table, kept up to date cheaply.
//
// Reading every /proc/PID/fd link every tick is what makes socket-per-process
// monitors expensive (about 44 ms/s for 11,000 fds), and listing those
// directories costs nearly as much again (procfs builds an entry per fd).
// Per process, keyed by (pid, starttime), this keeps the fd -> socket inode
// cache and each tick
//   - lists the fd directory (getdents) and compares the fd *set* only when
//     something says it may matter: a new process, a changed fd count (stat
//     of /proc/PID/fd, Linux >= 6.2; always listed on older kernels), one of
//     its sockets gone from the table, or it holds a shared inode. Churn of
//     non-socket fds cannot change socket counts; a closed socket leaves the
//     table unless shared; a new socket shows up as an unowned inode (below);
//   - readlinks fd numbers not seen before;
//   - re-reads a cached socket fd whose inode has left the table (the number
//     may have been reused) or that shares its inode with another fd (then the
//     inode staying in the table proves nothing about this fd);
//   - when a table inode is still unowned after that (a new socket, perhaps on
//     a number that held a file), lists and re-reads the non-socket fds of
//     processes of the socket's uid first, then of all others, until every
//     such inode is found.
// An inode no process was found to hold is counted as unattributed and not
// searched for again while it stays in the table.
// Known limits: an unreadable process (another user's, when not root) that
// shares a socket keeps that socket's inode in the table after a readable
// holder closed its fd, so the readable one keeps being credited with it; a
// socket that lost every fd and later arrives by SCM_RIGHTS on a reused fd
// number stays unattributed until that fd number changes; a process that, in
// one tick, closes a non-socket fd and receives (SCM_RIGHTS, pidfd_getfd) a
// socket another process already holds keeps its fd count and is not relisted
// until something else about it changes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/collect/proc/proc.hpp"
#include "agent/collect/socket_tables/socket_tables.hpp"
#include "agent/collect/sockets/socket_inode_index.hpp"
#include "telehub/tcp_state.hpp"

namespace telehub::agent {

// "socket:[12345]" -> 12345; nullopt for any other link target.
std::optional<std::uint64_t> parse_socket_link(std::string_view target);

// One process's sockets among the host table, this tick. A socket held through
// several fds (dup) counts once; one shared by processes counts for each.
struct ProcessSocketTally {
    TcpStateCounts tcp{};
    std::uint32_t udp = 0;
    std::uint32_t unix_ = 0;
    std::uint32_t raw = 0;
    std::uint32_t total = 0;
};

struct OwnerMapStats {
    std::uint32_t processes_listed = 0;  // fd directories listed (getdents) this tick
    std::uint32_t fds_listed = 0;
    std::uint32_t readlinks = 0;
    std::uint32_t unreadable_processes = 0;
    std::uint32_t searches = 0;  // ticks' passes over non-socket fds to find unowned inodes
};

class SocketOwnerMap {
public:
    explicit SocketOwnerMap(std::string proc_root);

    // `table` and `index` describe this tick's host sockets: index maps every
    // nonzero inode of the table, each present once, to its position.
    // Processes missing from `procs` are forgotten.
    void update(const ProcessList& procs, std::span<const SocketEntry> table, const SocketInodeIndex& index);

    // The lowest pid holding the socket at `table_pos` of the last update's
    // table, or -1 when no process was found to hold it.
    int owner_at(std::uint32_t table_pos) const;
    // nullptr for a pid not seen in the last update (or a kernel thread).
    const ProcessSocketTally* tally(int pid) const;
    // The tally of the process (pid, starttime) when the last update listed
    // its fds; nullptr when it did not see that process or could not read
    // its fd directory (another user's, when not root).
    const ProcessSocketTally* readable_tally(int pid, std::uint64_t starttime) const;
    // Table sockets with an inode that no readable process holds.
    std::uint32_t unattributed() const { return unattributed_; }
    const OwnerMapStats& stats() const { return stats_; }

    template <class F>  // f(int pid, const ProcessSocketTally&)
    void for_each(F&& f) const {
        for (const auto& [pid, p] : procs_)
            if (p.tally.total > 0) f(pid, p.tally);
    }

    // f(std::uint64_t inode) for every fd of `pid` that was a socket when
    // last read, in or out of the table (netlink, packet... sockets are never
    // in it). A socket held on several fds is passed once per fd. Nothing for
    // a pid the last update did not see or could not read.
    template <class F>
    void for_each_socket_fd(int pid, F&& f) const {
        auto it = procs_.find(pid);
        if (it == procs_.end()) return;
        for (const FdSlot& s : it->second.fds)
            if (s.inode != 0) f(s.inode);
    }

private:
    // A slot per fd of every process is the map's bulk: 16 bytes. Socket
    // inodes are 32 bits (the kernel's get_next_ino); the tick of the last
    // readlink only answers "read this tick?", so 29 bits of it are enough
    // (a false "yes" after 2^29 ticks costs one skipped re-read), while the
    // credit tick stays whole: it decides what is counted.
    struct FdSlot {
        int fd = 0;
        std::uint32_t inode = 0;  // 0: not a socket
        std::uint32_t read_tick : 29 = 0;
        std::uint32_t in_table : 1 = 0;    // its inode was in the table at the last attribution
        std::uint32_t shared : 1 = 0;      // another fd (here or elsewhere) held the same inode
        std::uint32_t unreadable : 1 = 0;
        std::uint32_t credited_tick = 0;   // tick it was last counted for its process
    };
    static_assert(sizeof(FdSlot) == 16);
    static constexpr std::uint32_t read_tick_mask = (1u << 29) - 1;

    struct Proc {
        std::uint64_t starttime = 0;
        std::uint32_t uid = 0;
        std::uint32_t serial = 0;  // position in this tick's pass, marks inodes already counted
        std::uint32_t seen_tick = 0;
        bool readable = false;
        std::int64_t fd_count = -1;    // open fds when last listed (stat of the fd dir), -1 unknown
        std::uint32_t listed_tick = 0;
        std::vector<FdSlot> fds;  // sorted by fd
        ProcessSocketTally tally;
    };
    // One per table socket, so 8 bytes: only "none, one, several" matters of
    // the holders, and a pass serial stays far below 2^30 (pids are < 2^22).
    struct InodeState {
        int owner = -1;
        std::uint32_t mark : 30 = 0;    // serial of the last process that counted it
        std::uint32_t holders : 2 = 0;  // fds holding it, saturating at 2
    };

    bool needs_listing(int pid, Proc& p, const SocketInodeIndex& index);
    void refresh_fds(int pid, Proc& p, const SocketInodeIndex& index);
    std::int64_t fd_count(int pid) const;
    bool read_link(int dirfd, int fd, FdSlot& slot);
    void credit(Proc& p, int pid, FdSlot& slot, std::span<const SocketEntry> table, const SocketInodeIndex& index);
    void search_unowned(std::span<const SocketEntry> table, const SocketInodeIndex& index);

    std::string proc_root_;
    DirFd proc_;
    bool proc_counts_fds_ = false;  // procfs of Linux >= 6.2: stat of /proc/PID/fd gives the fd count
    std::unordered_map<int, Proc> procs_;
    std::vector<InodeState> inodes_;        // parallel to the table
    std::vector<std::uint64_t> orphans_;    // sorted; searched for and not found
    std::vector<std::uint64_t> unowned_;    // scratch
    std::vector<std::uint32_t> wanted_uids_;  // scratch
    std::vector<int> listed_;               // scratch: fd numbers of one directory
    std::vector<FdSlot> merged_;            // scratch: swapped with a Proc's fds
    std::vector<char> dents_;               // getdents buffer
    std::uint32_t tick_ = 0;
    std::uint32_t unattributed_ = 0;
    OwnerMapStats stats_;
};

}  // namespace telehub::agent
