// A bounded, compact per-host history: one point per sample plus per-core CPU
// for the newest points only (CoreRing), so an hour at 1 s costs a fixed,
// small amount of memory whatever the agent sends. The newest points are kept
// as plain HistoryPoints, where appends and most backfill land; older ones are
// packed in blocks of consecutive points (HistoryBlock, ~6 B a point instead
// of 36). Storage grows with the points held, so a host pays for the history
// it has, not for a full hour at its first hello. Points are kept in seq order
// within the current agent instance; a backfilled (older) sample is inserted
// in place.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hub/history/core_ring.hpp"
#include "hub/history/history_block.hpp"
#include "hub/history/name_interner.hpp"

namespace telehub::hub {

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

// A packed point with full-width values (no per-core CPU), at `ts_ms`.
HistoryEntry entry_of(const HistoryPoint& p, std::int64_t ts_ms, std::string top_name);

// Points handed to the store: `points` with ts offsets from `base_ts_ms` and
// top_name indexing `names` (the batch's own table, not the ring's).
struct PointBatch {
    std::int64_t base_ts_ms = 0;
    std::vector<HistoryPoint> points;
    std::vector<std::string> names;
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
    // A full ring drops its oldest point for each one it takes, so size() stays
    // at capacity(); a dropped point that was packed keeps its few bytes until
    // the rest of its block is dropped too (at most one block's worth).
    Insert insert(const HistoryEntry& e);
    // The memory inserting the next live point touches first (the newest
    // point, which it follows, and the per-core row it writes), for a caller
    // that wants it loaded ahead.
    std::array<std::span<const std::byte>, 2> append_touches() const;

    std::size_t size() const { return size_; }
    std::size_t capacity() const { return cap_; }
    std::size_t cores() const { return core_ring_.cores(); }
    std::size_t core_points() const { return core_ring_.size(); }
    HistoryEntry at(std::size_t i) const;  // 0 = oldest

    // Every point with ts_ms >= since_ts_ms, oldest first.
    HistoryColumns columns(std::int64_t since_ts_ms) const;
    // The last up to `n` cpu totals, oldest first (sparklines).
    std::vector<double> recent_cpu(std::size_t n) const;

    // Heap bytes this ring holds (points, blocks, per-core ring, interned names).
    std::size_t memory_bytes() const;

    // Persistence: points inserted since the last take_unsaved (the newest
    // ones, plus any backfilled among older, already taken points).
    std::size_t unsaved() const { return unsaved_ + strays_.size(); }
    // Moves them into `out` (cleared first); false when there were none.
    bool take_unsaved(PointBatch& out);
    // Everything held counts as saved (after loading it from the store).
    void mark_saved() {
        unsaved_ = 0;
        strays_.clear();
    }
    // ts of the oldest point, nullopt when empty.
    std::optional<std::int64_t> oldest_ts() const;

private:
    struct Found {
        std::size_t pos;
        bool duplicate;
    };
    Found find(std::uint32_t seq) const;
    void drop_oldest();
    void place(std::size_t pos, const HistoryPoint& p);
    void place_in_block(std::size_t pos, const HistoryPoint& p);
    void seal_oldest_raw();
    std::pair<std::size_t, std::size_t> locate(std::size_t i) const;  // block, index among its live points
    std::size_t live(std::size_t block) const { return blocks_[block].count - (block == 0 ? dead_ : 0); }
    void decode_live(std::size_t block, std::vector<HistoryPoint>& out) const;
    template <class F>
    void visit(std::size_t from, F&& f) const;
    HistoryPoint point_of(const HistoryEntry& e);
    HistoryPoint point_of_saved(const HistoryEntry& e) const;  // top_name left 0
    void fit_time(std::int64_t ts_ms);
    std::uint16_t intern(std::string_view name);
    std::int64_t ts_of(const HistoryPoint& p) const { return base_ts_ms_ + p.ts_offset_ms; }

    std::size_t cap_;
    CoreRing core_ring_;
    // Points 0 .. block_points_-1 live in blocks_, the rest in raw_, oldest first.
    std::vector<HistoryBlock> blocks_;
    std::size_t dead_ = 0;  // leading points of blocks_.front() already dropped, freed with the block
    std::size_t block_points_ = 0;
    std::vector<HistoryPoint> raw_;
    std::size_t size_ = 0;
    std::size_t instance_points_ = 0;  // trailing points that belong to the current instance
    std::int64_t base_ts_ms_ = 0;
    bool has_base_ = false;
    NameInterner names_;
    std::size_t unsaved_ = 0;          // trailing points not yet taken
    std::vector<HistoryEntry> strays_;  // backfilled among taken points, not yet taken
};

}  // namespace telehub::hub
