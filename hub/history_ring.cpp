#include "hub/history_ring.hpp"

#include <algorithm>
#include <limits>

namespace telehub::hub {
namespace {

// Room for backfilled points older than the first one seen.
constexpr std::int64_t base_margin_ms = 24LL * 3600 * 1000;
// The name table holds a little more than one name per point, so compaction
// (O(capacity)) runs at most once per this many new names.
constexpr std::size_t name_slack = 64;
// Point storage grows 256 points (9 KiB) at a time until the capacity.
constexpr std::size_t chunk_points = 256;

std::uint16_t sat16(double v) {
    if (!(v > 0)) return 0;
    if (v >= 65535) return 65535;
    return static_cast<std::uint16_t>(v + 0.5);
}

std::uint16_t sat16(std::uint64_t v) { return static_cast<std::uint16_t>(std::min<std::uint64_t>(v, 65535)); }
std::uint16_t sat16(std::uint32_t v) { return sat16(static_cast<std::uint64_t>(v)); }

}  // namespace

HistoryRing::HistoryRing(std::size_t capacity, std::size_t max_cores, std::size_t core_points)
    : cap_(std::clamp<std::size_t>(capacity, 1, 65535 - name_slack)),
      core_ring_(std::min(core_points, cap_), max_cores),
      names_(cap_ + name_slack) {}

void HistoryRing::begin_instance() { instance_points_ = 0; }

void HistoryRing::fit_time(std::int64_t ts_ms) {
    constexpr std::int64_t span = std::numeric_limits<std::uint32_t>::max();
    if (!has_base_) {
        base_ts_ms_ = ts_ms - base_margin_ms;
        has_base_ = true;
        return;
    }
    if (ts_ms >= base_ts_ms_ && ts_ms - base_ts_ms_ <= span) return;
    // Moving the base rewrites every offset; it happens once in ~48 days of
    // uptime, or when an agent's clock jumps.
    std::int64_t new_base = ts_ms < base_ts_ms_ ? ts_ms - base_margin_ms : ts_ms - span + base_margin_ms;
    for (std::size_t i = 0; i < size_; ++i) {
        auto& p = points_[phys(i)];
        p.ts_offset_ms = static_cast<std::uint32_t>(std::clamp<std::int64_t>(ts_of(p) - new_base, 0, span));
    }
    base_ts_ms_ = new_base;
}

std::uint16_t HistoryRing::intern(std::string_view name) {
    if (auto i = names_.intern(name)) return *i;
    std::vector<bool> used(names_.size(), false);
    for (std::size_t i = 0; i < size_; ++i) used[points_[phys(i)].top_name] = true;
    auto remap = names_.compact(used);
    for (std::size_t i = 0; i < size_; ++i) {
        auto& p = points_[phys(i)];
        p.top_name = remap[p.top_name];
    }
    // At most capacity names are live, so there is room now.
    return names_.intern(name).value_or(0);
}

void HistoryRing::store(std::size_t slot, const HistoryEntry& e) {
    auto& p = points_[slot];
    p.ts_offset_ms = static_cast<std::uint32_t>(
        std::clamp<std::int64_t>(e.ts_ms - base_ts_ms_, 0, std::numeric_limits<std::uint32_t>::max()));
    p.seq = static_cast<std::uint32_t>(std::min<std::uint64_t>(e.seq, std::numeric_limits<std::uint32_t>::max()));
    p.cpu_tenths = sat16(e.cpu * 10);
    p.load1_hundredths = sat16(e.load1 * 100);
    p.top_cpu_tenths = sat16(e.top_cpu * 10);
    p.top_name = intern(e.top_name);
    p.tcp_established = sat16(e.tcp_established);
    p.tcp_listen = sat16(e.tcp_listen);
    p.tcp_time_wait = sat16(e.tcp_time_wait);
    p.tcp_close_wait = sat16(e.tcp_close_wait);
    p.udp = sat16(e.udp);
    p.unix_ = sat16(e.unix_);
    p.opens_exact = sat16(e.opens_exact);
    p.opened_sampled = sat16(e.opened);
    p.closed_sampled = sat16(e.closed);
}

HistoryRing::Insert HistoryRing::insert(const HistoryEntry& e) {
    core_ring_.set_cores(e.per_core.size());
    fit_time(e.ts_ms);
    const std::size_t cap = cap_;
    const std::uint32_t seq = static_cast<std::uint32_t>(std::min<std::uint64_t>(e.seq, std::numeric_limits<std::uint32_t>::max()));

    // Where the entry goes among this instance's points (a lower bound on seq).
    std::size_t first = size_ - instance_points_;
    std::size_t lo = first, hi = size_;
    while (lo < hi) {
        std::size_t mid = (lo + hi) / 2;
        if (points_[phys(mid)].seq < seq) lo = mid + 1;
        else hi = mid;
    }
    std::size_t pos = lo;
    if (pos < size_ && points_[phys(pos)].seq == seq) return Insert::duplicate;
    bool append = pos == size_;
    if (size_ == cap) {
        if (pos == 0) return Insert::too_old;
        // Drop the oldest point; everything before `pos` moves one slot down.
        head_ = (head_ + 1) % cap;
        --size_;
        --pos;
        if (instance_points_ > size_) instance_points_ = size_;
    } else if (size_ == points_.size()) {
        // Not full and not wrapped yet (head_ is 0): append a slot.
        if (points_.size() == points_.capacity()) points_.reserve(std::min(cap, points_.size() + chunk_points));
        points_.emplace_back();
    }
    // Open a hole at `pos` by moving the newer points one slot up (rare: backfill only).
    for (std::size_t i = size_; i > pos; --i) points_[phys(i)] = points_[phys(i - 1)];
    ++size_;
    ++instance_points_;
    store(phys(pos), e);
    core_ring_.insert(size_ - 1 - pos, e.per_core);
    core_ring_.trim(size_);
    return append ? Insert::appended : Insert::inserted;
}

HistoryEntry HistoryRing::at(std::size_t i) const {
    const auto slot = phys(i);
    const auto& p = points_[slot];
    HistoryEntry e;
    e.ts_ms = ts_of(p);
    e.seq = p.seq;
    e.cpu = p.cpu_tenths / 10.0;
    e.load1 = p.load1_hundredths / 100.0;
    e.top_cpu = p.top_cpu_tenths / 10.0;
    e.top_name = names_.name(p.top_name);
    e.tcp_established = p.tcp_established;
    e.tcp_listen = p.tcp_listen;
    e.tcp_time_wait = p.tcp_time_wait;
    e.tcp_close_wait = p.tcp_close_wait;
    e.udp = p.udp;
    e.unix_ = p.unix_;
    e.opens_exact = p.opens_exact;
    e.opened = p.opened_sampled;
    e.closed = p.closed_sampled;
    const std::size_t first_core_point = size_ - core_ring_.size();
    if (i >= first_core_point) {
        e.per_core.resize(core_ring_.cores());
        for (std::size_t c = 0; c < e.per_core.size(); ++c) e.per_core[c] = core_ring_.value(i - first_core_point, c);
    }
    return e;
}

HistoryColumns HistoryRing::columns(std::int64_t since_ts_ms) const {
    HistoryColumns out;
    const std::size_t cores = core_ring_.cores();
    const std::size_t first_core_point = size_ - core_ring_.size();
    out.per_core.resize(cores);
    for (std::size_t i = 0; i < size_; ++i) {
        const auto slot = phys(i);
        const auto& p = points_[slot];
        if (ts_of(p) < since_ts_ms) continue;
        out.ts_ms.push_back(ts_of(p));
        out.seq.push_back(p.seq);
        out.cpu.push_back(p.cpu_tenths / 10.0);
        for (std::size_t c = 0; c < cores; ++c)
            out.per_core[c].push_back(i >= first_core_point ? core_ring_.value(i - first_core_point, c)
                                                            : std::numeric_limits<double>::quiet_NaN());
        out.load1.push_back(p.load1_hundredths / 100.0);
        out.tcp_established.push_back(p.tcp_established);
        out.tcp_listen.push_back(p.tcp_listen);
        out.tcp_time_wait.push_back(p.tcp_time_wait);
        out.tcp_close_wait.push_back(p.tcp_close_wait);
        out.udp.push_back(p.udp);
        out.unix_.push_back(p.unix_);
        out.top_name.push_back(names_.name(p.top_name));
        out.top_cpu.push_back(p.top_cpu_tenths / 10.0);
        out.opens_exact.push_back(p.opens_exact);
        out.opened.push_back(p.opened_sampled);
        out.closed.push_back(p.closed_sampled);
    }
    return out;
}

std::vector<double> HistoryRing::recent_cpu(std::size_t n) const {
    std::vector<double> out;
    std::size_t from = size_ > n ? size_ - n : 0;
    out.reserve(size_ - from);
    for (std::size_t i = from; i < size_; ++i) out.push_back(points_[phys(i)].cpu_tenths / 10.0);
    return out;
}

std::size_t HistoryRing::memory_bytes() const {
    return points_.capacity() * sizeof(HistoryPoint) + core_ring_.memory_bytes() + names_.memory_bytes();
}

}  // namespace telehub::hub
