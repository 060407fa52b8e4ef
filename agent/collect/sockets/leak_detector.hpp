// Leak suspects from socket counts over time, each with the evidence that
// raised it:
//   growth:     a process whose socket count rose in most intervals of the
//               window and by at least `min_growth` over it;
//   close_wait: a process holding TCP sockets in CLOSE_WAIT for longer than
//               `close_wait_max` (the peer closed; the program did not).
// A suspect clears as soon as its condition no longer holds.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "telehub/sample.hpp"

namespace telehub::agent {

struct LeakOptions {
    std::int64_t window_ms = 60'000;         // --leak-window
    std::uint32_t min_growth = 20;           // --leak-min
    std::int64_t close_wait_max_ms = 60'000; // --close-wait-max
};

using telehub::LeakSuspect;

// What the detector needs of one process each tick.
struct ProcessSocketObservation {
    int pid = 0;
    std::uint64_t starttime = 0;
    const std::string* name = nullptr;
    std::uint32_t sockets = 0;  // every socket it holds
    // How many of its CLOSE_WAIT sockets have been in that state longer than
    // the limit, and since when the oldest has been.
    std::uint32_t close_wait_stuck = 0;
    std::int64_t close_wait_oldest_ms = 0;
};

class LeakDetector {
public:
    explicit LeakDetector(LeakOptions options);

    // One tick: every process with sockets. Processes missing from the list
    // are forgotten (exited, or no sockets any more).
    void observe(std::int64_t now_ms, const std::vector<ProcessSocketObservation>& procs);

    // Current suspects, ordered by pid then reason.
    const std::vector<LeakSuspect>& suspects() const { return suspects_; }

    const LeakOptions& options() const { return options_; }

private:
    // 8 bytes a point, up to a window's worth per process with sockets.
    struct Point {
        std::uint32_t offset_ms;  // after History::base_ms
        std::uint32_t sockets;
    };
    struct History {
        std::uint64_t starttime = 0;
        std::uint64_t tick = 0;
        std::int64_t base_ms = 0;
        std::vector<Point> points;  // oldest first, spanning at most the window
        std::int64_t at(const Point& p) const { return base_ms + p.offset_ms; }
        std::int64_t growth_since_ms = 0;  // 0: not a growth suspect
        std::int64_t close_wait_since_ms = 0;
    };

    void judge(std::int64_t now_ms, const ProcessSocketObservation& p, History& h);

    LeakOptions options_;
    std::unordered_map<int, History> procs_;
    std::vector<LeakSuspect> suspects_;
    std::uint64_t tick_ = 0;
};

}  // namespace telehub::agent
