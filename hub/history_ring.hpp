// A bounded, compact per-host history: one fixed-size point per sample plus
// per-core CPU for the newest points only (CoreRing), so an hour at 1 s costs a
// fixed, small amount of memory whatever the agent sends. Storage grows in
// chunks up to the capacity, so a host pays for the history it has, not for
// a full hour at its first hello. Points are kept in seq order within the
// current agent instance; a backfilled (older) sample is inserted in place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/core_ring.hpp"
#include "hub/name_interner.hpp"

namespace telehub::hub {

// 36 bytes per point (34 used, padded). Counts saturate at 65535 and cpu values are stored in
// tenths of a percent: the latest sample keeps exact values, history is for
// charts. ts is an offset from the ring's base time so it fits 32 bits.
struct HistoryPoint {
    std::uint32_t ts_offset_ms = 0;
    std::uint32_t seq = 0;
    std::uint16_t cpu_tenths = 0;
    std::uint16_t load1_hundredths = 0;
    std::uint16_t top_cpu_tenths = 0;  // 100 % = one core, so up to 6553.5 %
    std::uint16_t top_name = 0;        // index in the ring's NameInterner
    std::uint16_t tcp_established = 0;
    std::uint16_t tcp_listen = 0;
    std::uint16_t tcp_time_wait = 0;
    std::uint16_t tcp_close_wait = 0;
    std::uint16_t udp = 0;
    std::uint16_t unix_ = 0;
    // Socket churn this interval: exact kernel TCP opens (active + passive),
    // and the sampled per-process opened/closed sums.
    std::uint16_t opens_exact = 0;
    std::uint16_t opened_sampled = 0;
    std::uint16_t closed_sampled = 0;
    std::uint16_t reserved_ = 0;  // explicit padding to a 4-byte multiple
};
static_assert(sizeof(HistoryPoint) == 36, "keep history points compact");

// A point as callers see it, with full-width values.
struct HistoryEntry {
    std::int64_t ts_ms = 0;
    std::uint64_t seq = 0;
    double cpu = 0;
    std::vector<double> per_core;  // empty for points older than the per-core window
    double load1 = 0;
    std::uint32_t tcp_established = 0;
    std::uint32_t tcp_listen = 0;
    std::uint32_t tcp_time_wait = 0;
    std::uint32_t tcp_close_wait = 0;
    std::uint32_t udp = 0;
    std::uint32_t unix_ = 0;
    std::string top_name;
    double top_cpu = 0;
    std::uint64_t opens_exact = 0;  // 0 when the agent's counters were not exact
    std::uint32_t opened = 0;       // sampled
    std::uint32_t closed = 0;
};

// Columns, oldest first, as GET /api/hosts/{id}/history returns them.
struct HistoryColumns {
    std::vector<std::int64_t> ts_ms;
    std::vector<std::uint64_t> seq;
    std::vector<double> cpu;
    // [core][point]; NaN (null in JSON) for points older than the per-core window.
    std::vector<std::vector<double>> per_core;
    std::vector<double> load1;
    std::vector<std::uint32_t> tcp_established, tcp_listen, tcp_time_wait, tcp_close_wait, udp, unix_;
    std::vector<std::string> top_name;
    std::vector<double> top_cpu;
    std::vector<std::uint32_t> opens_exact, opened, closed;
};

class HistoryRing {
public:
    // `capacity` points (at most 65535 so name indices fit 16 bits); per-core
    // CPU is kept for at most `max_cores` cores (default 256) and for the
    // newest `core_points` points only (default 600: ten minutes at 1 s).
    explicit HistoryRing(std::size_t capacity, std::size_t max_cores = 256, std::size_t core_points = 600);

    // Starts a new agent instance: later inserts are ordered only against
    // points of this instance (seq restarts at 1).
    void begin_instance();

    enum class Insert { appended, inserted, duplicate, too_old };
    // Places the entry in seq order among this instance's points. A seq already
    // present is a duplicate; one older than everything in a full ring is too_old.
    Insert insert(const HistoryEntry& e);

    std::size_t size() const { return size_; }
    std::size_t capacity() const { return cap_; }
    std::size_t cores() const { return core_ring_.cores(); }
    std::size_t core_points() const { return core_ring_.size(); }
    HistoryEntry at(std::size_t i) const;  // 0 = oldest

    // Every point with ts_ms >= since_ts_ms, oldest first.
    HistoryColumns columns(std::int64_t since_ts_ms) const;
    // The last up to `n` cpu totals, oldest first (sparklines).
    std::vector<double> recent_cpu(std::size_t n) const;

    // Heap bytes this ring holds (points, per-core ring, interned names).
    std::size_t memory_bytes() const;

private:
    std::size_t phys(std::size_t i) const { return (head_ + i) % points_.size(); }
    void store(std::size_t slot, const HistoryEntry& e);
    void fit_time(std::int64_t ts_ms);
    std::uint16_t intern(std::string_view name);
    std::int64_t ts_of(const HistoryPoint& p) const { return base_ts_ms_ + p.ts_offset_ms; }

    std::vector<HistoryPoint> points_;
    std::size_t cap_;
    CoreRing core_ring_;
    std::size_t head_ = 0;  // physical index of the oldest point
    std::size_t size_ = 0;
    std::size_t instance_points_ = 0;  // trailing points that belong to the current instance
    std::int64_t base_ts_ms_ = 0;
    bool has_base_ = false;
    NameInterner names_;
};

}  // namespace telehub::hub
