// Socket lifecycle per process: sockets opened and closed each interval, by
// family, from the difference between the sets of socket inodes in a
// process's fd table at consecutive samples; CLOSE_WAIT ages; leak suspects.
//
// Sampling limit: a socket opened and closed between two samples is never
// seen here. The kernel's exact counters (net_counters.hpp) cover that; see
// docs/sockets.md.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/collect/sockets/leak_detector.hpp"
#include "agent/collect/proc/proc.hpp"
#include "telehub/sample.hpp"

namespace telehub::agent {

class SocketCollector;

struct ProcessChurnRecord {
    int pid = 0;
    std::uint64_t starttime = 0;
    std::string name;
    FamilyCounts opened;  // last interval
    FamilyCounts closed;
    FamilyCounts opened_total;  // since the agent started or the process appeared
    FamilyCounts closed_total;
    FamilyCounts open;  // held now
};

class SocketChurnCollector {
public:
    explicit SocketChurnCollector(LeakOptions leak = {});

    // After SocketCollector::collect() of the same tick, with the same processes.
    // The first call sets the baseline: nothing counts as opened in it.
    void update(std::int64_t now_ms, const ProcessList& procs, const SocketCollector& sockets);

    // sockets.churn.opened/closed (sampled), sockets.churn_by_process (top
    // `top_k` by opened+closed this interval, busiest first) and the leaks.
    void fill(std::size_t top_k, HostSockets& out, std::vector<LeakSuspect>& leaks) const;

    // Every process holding or having held sockets, by pid.
    const std::unordered_map<int, ProcessChurnRecord>& processes() const { return records_; }
    std::uint32_t opened() const { return opened_; }
    std::uint32_t closed() const { return closed_; }

private:
    enum Family : std::uint8_t { tcp, udp, unix_, other };
    // A socket a process holds, in 8 bytes (a set per process, one entry per
    // socket on the host): socket inodes are 32-bit (the kernel's
    // get_next_ino), so the family fits in the two bits below.
    class Held {
    public:
        Held(std::uint64_t inode, Family f) : bits_(inode << 2 | f) {}
        std::uint64_t inode() const { return bits_ >> 2; }
        Family family() const { return static_cast<Family>(bits_ & 3); }
        bool operator<(const Held& o) const { return inode() < o.inode(); }

    private:
        std::uint64_t bits_;
    };
    struct Tracked {
        ProcessChurnRecord record;
        std::vector<Held> held;  // sorted by inode
        // Sockets first seen this tick that no table listed: counted next tick
        // if still held (sorted).
        std::vector<std::uint64_t> pending;
        std::uint64_t tick = 0;
    };
    struct Stuck {
        std::uint32_t count = 0;
        std::int64_t oldest_ms = 0;
    };

    void diff(Tracked& t, const std::vector<Held>& now, bool baseline);
    void track_close_wait(std::int64_t now_ms, const SocketCollector& sockets);

    LeakDetector leaks_;
    std::unordered_map<int, Tracked> tracked_;
    std::unordered_map<int, ProcessChurnRecord> records_;
    std::vector<std::uint64_t> inodes_;               // scratch: one process's socket inodes, sorted
    std::vector<Held> now_;                           // scratch
    std::vector<std::uint64_t> pending_;              // scratch
    std::unordered_map<std::uint64_t, std::int64_t> close_wait_since_;  // inode -> first seen in CLOSE_WAIT
    std::unordered_map<std::uint64_t, std::int64_t> close_wait_next_;   // scratch, swapped
    std::unordered_map<int, Stuck> stuck_;                              // by owner pid, this tick
    std::vector<ProcessSocketObservation> observations_;
    std::uint64_t tick_ = 0;
    std::uint32_t opened_ = 0;
    std::uint32_t closed_ = 0;
};

}  // namespace telehub::agent
