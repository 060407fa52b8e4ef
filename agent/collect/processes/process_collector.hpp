// The per-process scan: every live process, its CPU % over the last
// interval, and the top N for the sample.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/collect/proc/proc.hpp"
#include "agent/collect/processes/process_parse.hpp"
#include "telehub/sample.hpp"

namespace telehub::agent {

class ProcessCollector {
public:
    // `proc_root` is "/proc" in production, a recorded tree in tests.
    // Throws std::runtime_error when it cannot be opened and listed: that is
    // a start-up error.
    explicit ProcessCollector(std::string proc_root);
    ~ProcessCollector();
    ProcessCollector(const ProcessCollector&) = delete;
    ProcessCollector& operator=(const ProcessCollector&) = delete;

    // One pass over <proc_root>: /proc/PID/stat of every process (through an
    // fd held open between scans, up to half the soft RLIMIT_NOFILE and at
    // most 4096; beyond that by path each time); status and
    // cmdline only for a process seen for the first time (or after exec,
    // noticed as a changed comm). `host_jiffies_delta` and `cores` are
    // CpuCollector::total_delta() and cores() of the same tick.
    //
    // CPU % = Δ(utime+stime) / host_jiffies_delta × cores × 100 (100 = one
    // full core), capped at cores × 100. It is 0 for every process on the
    // first scan and whenever host_jiffies_delta is 0. A process first seen
    // on a later scan started during the interval, so all of its ticks count.
    // A process that vanishes mid-scan, or whose files cannot be read or
    // parsed, is skipped.
    void scan(std::uint64_t host_jiffies_delta, std::uint32_t cores);

    // Every process of the last scan, in /proc order; is_new marks those
    // first seen in it (including a reused pid: a new starttime).
    const ProcessList& processes() const { return list_; }

    // The CPU % of the process (pid, starttime) over the last scan's interval
    // (as in the sample's top table); nullopt when the last scan did not see
    // that process, e.g. one started since.
    std::optional<double> cpu_percent(int pid, std::uint64_t starttime) const;

    // Processes of the last scan (zombies and kernel threads included).
    std::uint32_t count() const { return static_cast<std::uint32_t>(list_.size()); }

    // Replaces `out` with the `n` processes of the last scan using the most
    // CPU (ties: more cumulative ticks first, then lower pid). sockets are
    // left zero for the socket collector to fill.
    void top(std::size_t n, std::vector<telehub::TopProcess>& out);

private:
    struct Tracked {
        std::uint64_t starttime = 0;
        std::uint64_t scan = 0;  // scan number that last saw it
        std::uint64_t utime = 0;
        std::uint64_t stime = 0;
        std::uint64_t rss_pages = 0;
        double cpu = 0;
        int ppid = 0;
        int nice = 0;
        std::uint32_t threads = 0;
        std::uint32_t uid = 0;
        char state = '?';
        bool kernel_thread = false;
        std::string name;
        std::string cmdline;
        const std::string* user = nullptr;  // owned by users_
        int stat_fd = -1;  // held open /proc/PID/stat, or -1
    };
    using Map = std::unordered_map<int, Tracked>;

    bool load_identity(int pid, const PidStat& st, Tracked& t);
    // Reads /proc/PID/stat into stat_buf_ through the held fd of `known`, or
    // by path; `opened` is a new fd the caller keeps or closes (-1 if none).
    bool read_stat(int pid, Tracked* known, int& opened);
    void drop_fd(Tracked& t);
    void path_for(int pid, const char* file);

    std::string proc_root_;
    DirFd root_;
    std::unique_ptr<ProcessPids> pids_;
    UserNames users_;
    Map by_pid_;  // keyed by pid; a different starttime under the same pid is a new process
    std::uint64_t scans_ = 0;
    std::uint64_t page_size_ = 4096;
    std::size_t held_fds_ = 0;
    std::size_t fd_budget_ = 0;  // stat fds kept open between scans; see held_fd_budget()
    ProcessList list_;
    std::vector<int> pid_buf_;
    std::vector<const Map::value_type*> order_;
    std::string stat_buf_;  // stat of the current pid; PidStat::comm points into it
    std::string buf_;       // status and cmdline
    char path_[40] = {};
};

}  // namespace telehub::agent
