#include "agent/collect/sockets/leak_detector.hpp"

#include <algorithm>
#include <cstdio>

namespace telehub::agent {
namespace {

// A point's offset from its history's base fits 32 bits; past this the base moves.
constexpr std::int64_t max_offset_ms = std::int64_t{1} << 31;

}  // namespace

LeakDetector::LeakDetector(LeakOptions options) : options_(options) {}

void LeakDetector::observe(std::int64_t now_ms, const std::vector<ProcessSocketObservation>& procs) {
    ++tick_;
    suspects_.clear();
    for (const auto& p : procs) {
        auto& h = procs_[p.pid];
        if (h.tick == 0 || h.starttime != p.starttime) h = History{p.starttime};
        h.tick = tick_;
        judge(now_ms, p, h);
    }
    std::erase_if(procs_, [this](const auto& kv) { return kv.second.tick != tick_; });
    std::sort(suspects_.begin(), suspects_.end(), [](const LeakSuspect& a, const LeakSuspect& b) {
        return a.pid != b.pid ? a.pid < b.pid : a.reason < b.reason;
    });
}

void LeakDetector::judge(std::int64_t now_ms, const ProcessSocketObservation& p, History& h) {
    const std::string name = p.name ? *p.name : std::string();
    char evidence[256];

    if (h.points.empty()) h.base_ms = now_ms;
    if (now_ms - h.base_ms > max_offset_ms) {
        // Offsets stay small: the points span a window, the base moves to the oldest.
        const std::int64_t shift = h.at(h.points.front()) - h.base_ms;
        for (Point& q : h.points) q.offset_ms -= static_cast<std::uint32_t>(shift);
        h.base_ms += shift;
    }
    h.points.push_back({static_cast<std::uint32_t>(now_ms - h.base_ms), p.sockets});
    // Keep one point at or before the window's start so the window is spanned.
    while (h.points.size() > 2 && h.at(h.points[1]) <= now_ms - options_.window_ms) h.points.erase(h.points.begin());

    const Point& first = h.points.front();
    const std::int64_t first_ms = h.at(first);
    bool spans_window = now_ms - first_ms >= options_.window_ms;
    std::size_t intervals = h.points.size() - 1;
    std::size_t rising = 0;
    for (std::size_t i = 1; i < h.points.size(); ++i)
        if (h.points[i].sockets > h.points[i - 1].sockets) ++rising;
    bool growing = spans_window && intervals > 0 && rising * 2 > intervals &&
                   p.sockets >= first.sockets + options_.min_growth;
    if (growing) {
        if (h.growth_since_ms == 0) h.growth_since_ms = now_ms;
        std::snprintf(evidence, sizeof evidence, "sockets grew from %u to %u in %lld s, rising in %zu of %zu intervals",
                      first.sockets, p.sockets, static_cast<long long>((now_ms - first_ms) / 1000), rising,
                      intervals);
        suspects_.push_back({p.pid, name, "growth", p.sockets, h.growth_since_ms, evidence});
    } else {
        h.growth_since_ms = 0;
    }

    if (p.close_wait_stuck > 0) {
        if (h.close_wait_since_ms == 0) h.close_wait_since_ms = now_ms;
        std::snprintf(evidence, sizeof evidence,
                      "%u TCP socket%s in CLOSE_WAIT for over %lld s (oldest %lld s): the peer closed, the program did not",
                      p.close_wait_stuck, p.close_wait_stuck == 1 ? "" : "s",
                      static_cast<long long>(options_.close_wait_max_ms / 1000),
                      static_cast<long long>((now_ms - p.close_wait_oldest_ms) / 1000));
        suspects_.push_back({p.pid, name, "close_wait", p.close_wait_stuck, h.close_wait_since_ms, evidence});
    } else {
        h.close_wait_since_ms = 0;
    }
}

}  // namespace telehub::agent
