#include "agent/collect/sockets/socket_owner_map.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>

#include <dirent.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <fcntl.h>
#include <unistd.h>

namespace telehub::agent {
namespace {

/* 32 KiB of directory entries per getdents call: ~1,000 fds */
constexpr std::size_t dents_buffer_size = 32 * 1024;


DirFd open_fd_dir(int proc_fd, int pid) {
    char path[32];
    char* end = std::to_chars(path, path + 16, pid).ptr;
    std::copy_n("/fd", 4, end);
    return DirFd(proc_fd, path);
}

}  // namespace

std::optional<std::uint64_t> parse_socket_link(std::string_view t) {
    constexpr std::string_view prefix = "socket:[";
    if (t.size() < prefix.size() + 2 || t.substr(0, prefix.size()) != prefix || t.back() != ']') return std::nullopt;
    std::string_view digits = t.substr(prefix.size(), t.size() - prefix.size() - 1);
    std::uint64_t inode = 0;
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), inode);
    if (r.ec != std::errc{} || r.ptr != digits.data() + digits.size() || inode == 0) return std::nullopt;
    return inode;
}

SocketOwnerMap::SocketOwnerMap(std::string proc_root)
    : proc_root_(std::move(proc_root)), proc_(proc_root_), dents_(dents_buffer_size) {
    // Only real procfs reports fd counts as directory sizes; a recorded tree
    // (or a kernel before 6.2, where the size is 0) is listed every tick.
    struct statfs fs {};
    if (proc_.ok() && ::fstatfs(proc_.fd(), &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC) {
        struct stat st {};
        proc_counts_fds_ = ::fstatat(proc_.fd(), "self/fd", &st, 0) == 0 && st.st_size > 0;
    }
}

std::int64_t SocketOwnerMap::fd_count(int pid) const {
    if (!proc_counts_fds_) return -1;
    char path[32];
    char* end = std::to_chars(path, path + 16, pid).ptr;
    std::copy_n("/fd", 4, end);
    struct stat st {};
    if (::fstatat(proc_.fd(), path, &st, 0) != 0) return -1;
    return st.st_size;
}

bool SocketOwnerMap::needs_listing(int pid, Proc& p, const SocketInodeIndex& index) {
    if (!proc_counts_fds_ || p.fd_count < 0 || p.fds.empty()) return true;
    if (fd_count(pid) != p.fd_count) return true;
    for (const FdSlot& s : p.fds)
        if (s.shared || (s.in_table && !index.contains(s.inode))) return true;
    return false;
}

int SocketOwnerMap::owner_at(std::uint32_t pos) const { return pos < inodes_.size() ? inodes_[pos].owner : -1; }

const ProcessSocketTally* SocketOwnerMap::tally(int pid) const {
    auto it = procs_.find(pid);
    return it == procs_.end() ? nullptr : &it->second.tally;
}

const ProcessSocketTally* SocketOwnerMap::readable_tally(int pid, std::uint64_t starttime) const {
    auto it = procs_.find(pid);
    if (it == procs_.end() || it->second.starttime != starttime || !it->second.readable) return nullptr;
    return &it->second.tally;
}

bool SocketOwnerMap::read_link(int dirfd, int fd, FdSlot& slot) {
    char name[16];
    *std::to_chars(name, name + sizeof name - 1, fd).ptr = '\0';
    char target[64];
    ++stats_.readlinks;
    ssize_t n = ::readlinkat(dirfd, name, target, sizeof target);
    slot.fd = fd;
    slot.in_table = false;
    slot.shared = false;
    slot.unreadable = false;
    slot.inode = 0;
    slot.read_tick = tick_ & read_tick_mask;
    slot.credited_tick = 0;
    if (n < 0) {
        if (errno == ENOENT) return false;  // closed since the listing
        slot.unreadable = true;           // kept, so it is not retried every tick
        return true;
    }
    // Targets longer than the buffer are paths, never "socket:[N]".
    // A number past 32 bits is no socket inode this kernel made.
    auto inode = parse_socket_link(std::string_view(target, static_cast<std::size_t>(n)));
    if (inode && *inode <= 0xFFFFFFFFu) slot.inode = static_cast<std::uint32_t>(*inode);
    return true;
}

void SocketOwnerMap::refresh_fds(int pid, Proc& p, const SocketInodeIndex& index) {
    p.listed_tick = tick_;
    // Counted before listing: an fd opened in between makes the next tick list again, never miss it.
    p.fd_count = fd_count(pid);
    DirFd dir = open_fd_dir(proc_.fd(), pid);
    if (!dir.ok()) {
        // EACCES: another user's process; ENOENT: it just exited. Either way
        // its sockets (if any) stay unattributed this tick.
        p.readable = false;
        p.fds.clear();
        if (errno != ENOENT) ++stats_.unreadable_processes;
        return;
    }
    p.readable = true;
    ++stats_.processes_listed;

    listed_.clear();
    for (;;) {
        long n = ::getdents64(dir.fd(), dents_.data(), dents_.size());
        if (n <= 0) break;  // 0: end; < 0: the process went away mid-listing
        for (long off = 0; off < n;) {
            const char* rec = dents_.data() + off;
            unsigned short reclen;
            std::memcpy(&reclen, rec + offsetof(dirent64, d_reclen), sizeof reclen);
            off += reclen;
            const char* name = rec + offsetof(dirent64, d_name);
            int fd = 0;
            auto r = std::from_chars(name, name + std::char_traits<char>::length(name), fd);
            if (r.ec == std::errc{} && *r.ptr == '\0') listed_.push_back(fd);
        }
    }
    stats_.fds_listed += static_cast<std::uint32_t>(listed_.size());
    if (!std::is_sorted(listed_.begin(), listed_.end())) std::sort(listed_.begin(), listed_.end());

    // Merge the old cache with the new listing: same numbers keep their
    // cached target unless it may have changed, new numbers are read.
    merged_.clear();
    auto old = p.fds.begin();
    for (int fd : listed_) {
        while (old != p.fds.end() && old->fd < fd) ++old;
        FdSlot slot;
        if (old != p.fds.end() && old->fd == fd) {
            slot = *old;
            bool left_table = slot.in_table && !index.contains(slot.inode);
            if ((left_table || slot.shared) && !read_link(dir.fd(), fd, slot)) continue;
        } else if (!read_link(dir.fd(), fd, slot)) {
            continue;
        }
        merged_.push_back(slot);
    }
    // Copied, not swapped: the scratch's capacity is that of the largest fd
    // table listed so far, and a swap would hand it on to every small process
    // (measured: 7.9 MB of fd slots on a host with about 30,000 fds).
    p.fds.assign(merged_.begin(), merged_.end());
    if (p.fds.capacity() > 2 * p.fds.size() + 16) p.fds.shrink_to_fit();
}

void SocketOwnerMap::credit(Proc& p, int pid, FdSlot& slot, std::span<const SocketEntry> table,
                            const SocketInodeIndex& index) {
    if (slot.credited_tick == tick_) return;
    std::uint32_t pos = index.find(slot.inode);
    slot.in_table = pos != SocketInodeIndex::npos;
    if (!slot.in_table) return;
    slot.credited_tick = tick_;
    InodeState& st = inodes_[pos];
    if (st.holders < 2) ++st.holders;
    if (st.owner < 0 || pid < st.owner) st.owner = pid;
    if (st.mark == p.serial) return;  // a dup of a socket already counted for this process
    st.mark = p.serial;
    const SocketEntry& e = table[pos];
    ProcessSocketTally& t = p.tally;
    ++t.total;
    switch (e.family) {
        case SocketFamily::tcp:
            if (e.state < t.tcp.size()) ++t.tcp[e.state];
            break;
        case SocketFamily::udp: ++t.udp; break;
        case SocketFamily::unix_: ++t.unix_; break;
        case SocketFamily::raw: ++t.raw; break;
    }
}

void SocketOwnerMap::update(const ProcessList& procs, std::span<const SocketEntry> table,
                            const SocketInodeIndex& index) {
    ++tick_;
    stats_ = {};
    inodes_.assign(table.size(), InodeState{});
    std::uint32_t serial = 0;

    for (const ProcessEntry& e : procs) {
        if (e.kernel_thread) continue;
        Proc& p = procs_[e.pid];
        if (p.seen_tick == 0 || p.starttime != e.starttime) {
            p.fds.clear();  // a new process, or the pid was reused
            p.starttime = e.starttime;
        }
        p.uid = e.uid;
        p.seen_tick = tick_;
        p.serial = ++serial;
        p.tally = {};
        if (needs_listing(e.pid, p, index)) refresh_fds(e.pid, p, index);
        for (FdSlot& s : p.fds)
            if (s.inode != 0) credit(p, e.pid, s, table, index);
    }
    std::erase_if(procs_, [this](const auto& kv) { return kv.second.seen_tick != tick_; });

    // The shared flag needs every holder counted first.
    for (auto& [pid, p] : procs_)
        for (FdSlot& s : p.fds)
            if (s.in_table) s.shared = inodes_[index.find(s.inode)].holders > 1;

    search_unowned(table, index);

    unattributed_ = 0;
    orphans_.clear();
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (table[i].inode == 0 || inodes_[i].holders > 0) continue;
        ++unattributed_;
        orphans_.push_back(table[i].inode);
    }
    std::sort(orphans_.begin(), orphans_.end());
}

void SocketOwnerMap::search_unowned(std::span<const SocketEntry> table, const SocketInodeIndex& index) {
    // Unowned inodes not already known to be unowned since an earlier search.
    unowned_.clear();
    for (std::size_t i = 0; i < table.size(); ++i) {
        const std::uint64_t ino = table[i].inode;
        if (ino == 0 || inodes_[i].holders > 0) continue;
        if (!std::binary_search(orphans_.begin(), orphans_.end(), ino)) unowned_.push_back(ino);
    }
    if (unowned_.empty()) return;
    ++stats_.searches;

    std::size_t missing = unowned_.size();
    wanted_uids_.clear();
    for (std::uint64_t ino : unowned_) wanted_uids_.push_back(table[index.find(ino)].uid);
    std::sort(wanted_uids_.begin(), wanted_uids_.end());
    // A socket without a known uid (unix from /proc) could be anyone's.
    const bool any_uid = wanted_uids_.back() == unknown_uid;
    auto uid_wanted = [&](std::uint32_t uid) {
        return any_uid || std::binary_search(wanted_uids_.begin(), wanted_uids_.end(), uid);
    };
    // Pass 0: processes of a wanted uid; pass 1: the others.
    for (int pass = 0; pass < 2 && missing > 0; ++pass) {
        for (auto& [pid, p] : procs_) {
            if (missing == 0) break;
            if (!p.readable || uid_wanted(p.uid) != (pass == 0)) continue;
            if (p.listed_tick != tick_) {
                // Not listed this tick: pick up new fd numbers first.
                refresh_fds(pid, p, index);
                for (FdSlot& s : p.fds) {
                    if (s.inode == 0 || s.credited_tick == tick_) continue;
                    std::uint32_t pos = index.find(s.inode);
                    bool was_unowned = pos != SocketInodeIndex::npos && inodes_[pos].holders == 0;
                    credit(p, pid, s, table, index);
                    if (s.in_table) s.shared = inodes_[pos].holders > 1;
                    if (was_unowned && !std::binary_search(orphans_.begin(), orphans_.end(), s.inode)) --missing;
                }
                if (missing == 0) break;
            }
            DirFd dir = open_fd_dir(proc_.fd(), pid);
            if (!dir.ok()) continue;
            for (FdSlot& s : p.fds) {
                // A socket slot still in the table is this process's (it would
                // be shared, and re-read, otherwise); a slot read this tick is current.
                if (s.in_table || s.read_tick == (tick_ & read_tick_mask)) continue;
                FdSlot fresh;
                if (!read_link(dir.fd(), s.fd, fresh)) continue;
                s = fresh;
                if (s.inode == 0) continue;
                std::uint32_t pos = index.find(s.inode);
                if (pos == SocketInodeIndex::npos) continue;
                bool was_unowned = inodes_[pos].holders == 0;
                credit(p, pid, s, table, index);
                s.shared = inodes_[pos].holders > 1;
                if (was_unowned && !std::binary_search(orphans_.begin(), orphans_.end(), s.inode)) --missing;
            }
        }
    }
}

}  // namespace telehub::agent
