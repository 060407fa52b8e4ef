#include "agent/collect/processes/process_collector.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <utility>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace telehub::agent {

namespace {

// /proc/PID/stat is one line the kernel writes whole into any buffer big
// enough, so a short read is the complete file and no extra read() is spent
// to see EOF. pread at offset 0 regenerates it on a held fd.
bool pread_stat(int fd, std::string& buf) {
    if (buf.capacity() < 1024) buf.reserve(1024);
    buf.resize(buf.capacity());
    std::size_t used = 0;
    for (;;) {
        ssize_t n = ::pread(fd, buf.data() + used, buf.size() - used, static_cast<off_t>(used));
        if (n < 0) {
            if (errno == EINTR) continue;
            buf.clear();
            return false;  // ESRCH: the process behind a held fd has exited
        }
        used += static_cast<std::size_t>(n);
        if (used < buf.size()) break;
        buf.resize(buf.size() * 2);
    }
    buf.resize(used);
    return true;
}

std::size_t held_fd_budget() {
    // Half the soft fd limit, at most 4096: the rest stays for the socket
    // collectors and the connection to the hub.
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 4096;
    return std::min<std::size_t>(4096, static_cast<std::size_t>(rl.rlim_cur / 2));
}

}  // namespace

ProcessCollector::ProcessCollector(std::string proc_root) : proc_root_(std::move(proc_root)), root_(proc_root_) {
    if (root_.ok()) pids_ = std::make_unique<ProcessPids>(root_.fd());
    if (!root_.ok() || !pids_->ok())
        throw std::runtime_error("cannot list proc root '" + proc_root_ + "': " + std::strerror(errno));
    long ps = ::sysconf(_SC_PAGESIZE);
    if (ps > 0) page_size_ = static_cast<std::uint64_t>(ps);
    fd_budget_ = held_fd_budget();
}

ProcessCollector::~ProcessCollector() {
    for (auto& kv : by_pid_)
        if (kv.second.stat_fd >= 0) ::close(kv.second.stat_fd);
}

void ProcessCollector::drop_fd(Tracked& t) {
    if (t.stat_fd < 0) return;
    ::close(t.stat_fd);
    t.stat_fd = -1;
    --held_fds_;
}

bool ProcessCollector::read_stat(int pid, Tracked* known, int& opened) {
    opened = -1;
    if (known != nullptr && known->stat_fd >= 0) {
        if (pread_stat(known->stat_fd, stat_buf_)) return true;
        // Exited (a new process with this pid has a new /proc entry, which
        // the held fd does not follow): retry by path below.
        drop_fd(*known);
    }
    path_for(pid, "stat");
    opened = ::openat(root_.fd(), path_, O_RDONLY | O_CLOEXEC);
    if (opened < 0) return false;
    if (pread_stat(opened, stat_buf_)) return true;
    ::close(opened);
    opened = -1;
    return false;
}

void ProcessCollector::path_for(int pid, const char* file) {
    auto [p, ec] = std::to_chars(path_, path_ + 16, pid);
    (void)ec;  // an int never needs more than 11 characters
    *p++ = '/';
    std::strcpy(p, file);  // callers pass "stat", "status" or "cmdline"
}

bool ProcessCollector::load_identity(int pid, const PidStat& st, Tracked& t) {
    path_for(pid, "status");
    if (!read_file_at(root_.fd(), path_, buf_)) return false;
    auto uid = parse_status_uid(buf_);
    if (!uid) return false;
    // comm comes from stat, read every tick anyway: same task->comm as the comm file.
    t.name.assign(st.comm);
    t.uid = *uid;
    t.user = &users_.name(*uid);
    t.kernel_thread = st.kernel_thread();
    path_for(pid, "cmdline");
    // Zombies and kernel threads have an empty cmdline; an unreadable one is not fatal.
    if (read_file_at(root_.fd(), path_, buf_)) format_cmdline(buf_, t.cmdline);
    else t.cmdline.clear();
    return true;
}

void ProcessCollector::scan(std::uint64_t host_jiffies_delta, std::uint32_t cores) {
    const bool first_scan = scans_ == 0;
    const std::uint64_t scan = ++scans_;
    const double cap = 100.0 * cores;
    const double per_tick = host_jiffies_delta == 0 ? 0.0 : cap / static_cast<double>(host_jiffies_delta);

    pids_->list(pid_buf_);
    std::size_t used = 0;
    for (int pid : pid_buf_) {
        auto it = by_pid_.find(pid);
        int opened = -1;
        if (!read_stat(pid, it == by_pid_.end() ? nullptr : &it->second, opened)) continue;  // exited since the listing
        auto st = parse_pid_stat(stat_buf_);
        if (!st || st->pid != pid) {
            if (opened >= 0) ::close(opened);
            continue;
        }

        const bool inserted = it == by_pid_.end();
        if (inserted) it = by_pid_.try_emplace(pid).first;
        Tracked& t = it->second;
        const bool fresh = inserted || t.starttime != st->starttime;
        std::uint64_t before = t.utime + t.stime;
        if (fresh) {
            if (!load_identity(pid, *st, t)) {
                if (opened >= 0) ::close(opened);
                drop_fd(t);
                by_pid_.erase(it);
                continue;
            }
            t.starttime = st->starttime;
            // On the first scan nothing is known of the interval; later, a
            // new process started within it and all its ticks belong to it.
            before = first_scan ? st->utime + st->stime : 0;
        } else if (t.name != st->comm) {
            // Same (pid, starttime), new comm: a user process exec'd, so its
            // cmdline (and for a setuid program, its uid) changed too. Kernel
            // workers rename themselves after the work they run: name only.
            if (t.kernel_thread || !load_identity(pid, *st, t)) t.name.assign(st->comm);
        }
        if (opened >= 0) {
            // Keeping the stat fd open halves the cost of the next reads
            // (pread instead of openat + read + close).
            if (t.stat_fd < 0 && held_fds_ < fd_budget_) {
                t.stat_fd = opened;
                ++held_fds_;
            } else {
                ::close(opened);
            }
        }

        const std::uint64_t now = st->utime + st->stime;
        const std::uint64_t spent = now >= before ? now - before : 0;
        t.cpu = std::min(cap, static_cast<double>(spent) * per_tick);
        t.scan = scan;
        t.utime = st->utime;
        t.stime = st->stime;
        t.rss_pages = st->rss_pages;
        t.ppid = st->ppid;
        t.nice = st->nice;
        t.threads = st->num_threads;
        t.state = st->state;
        // A zombie has released its memory, cmdline included; the one read
        // while it lived would describe a process that no longer runs.
        if (t.state == 'Z') t.cmdline.clear();

        // Entries are overwritten in place so their name strings keep their capacity.
        if (used == list_.size()) list_.emplace_back();
        ProcessEntry& e = list_[used++];
        e.pid = pid;
        e.starttime = t.starttime;
        e.uid = t.uid;
        e.name = t.name;
        e.kernel_thread = t.kernel_thread;
        e.is_new = fresh;
    }
    list_.resize(used);
    // Processes not seen in this scan are gone.
    for (auto it = by_pid_.begin(); it != by_pid_.end();) {
        if (it->second.scan == scan) {
            ++it;
        } else {
            drop_fd(it->second);
            it = by_pid_.erase(it);
        }
    }
}

std::optional<double> ProcessCollector::cpu_percent(int pid, std::uint64_t starttime) const {
    auto it = by_pid_.find(pid);
    if (it == by_pid_.end() || it->second.starttime != starttime || it->second.scan != scans_) return std::nullopt;
    return it->second.cpu;
}

void ProcessCollector::top(std::size_t n, std::vector<telehub::TopProcess>& out) {
    order_.clear();
    for (const auto& kv : by_pid_) order_.push_back(&kv);
    n = std::min(n, order_.size());
    auto busier = [](const Map::value_type* a, const Map::value_type* b) {
        if (a->second.cpu != b->second.cpu) return a->second.cpu > b->second.cpu;
        std::uint64_t ta = a->second.utime + a->second.stime, tb = b->second.utime + b->second.stime;
        if (ta != tb) return ta > tb;
        return a->first < b->first;
    };
    std::partial_sort(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(n), order_.end(), busier);

    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const Tracked& t = order_[i]->second;
        telehub::TopProcess& p = out[i];
        p.pid = order_[i]->first;
        p.ppid = t.ppid;
        p.name = t.name;
        p.cmdline = t.cmdline;
        p.user = *t.user;
        p.state = t.state;
        p.cpu = t.cpu;
        p.utime = t.utime;
        p.stime = t.stime;
        p.rss = t.rss_pages * page_size_;
        p.threads = t.threads;
        p.nice = t.nice;
        p.sockets = {};
    }
}

}  // namespace telehub::agent
