#include "hub/history/history_ring.hpp"

#include <algorithm>
#include <limits>

namespace telehub::hub {
namespace {

// Room for backfilled points older than the first one seen.
constexpr std::int64_t base_margin_ms = 24LL * 3600 * 1000;
// The name table holds a little more than one name per point, so compaction
// (O(capacity)) runs at most once per this many new names.
constexpr std::size_t name_slack = 64;
// Points are packed this many at a time: larger blocks pack better (each
// column's first value and mode are paid once a block) but a backfill into
// one decodes and repacks more, and dropped points wait longer for their
// block to be freed.
constexpr std::size_t block_size = 128;
// Plain points kept after packing, so an out-of-order sample from the last
// half minute is inserted without repacking. raw_ holds at most
// raw_keep + block_size points (5.6 KiB), reserved once.
constexpr std::size_t raw_keep = 32;
// A block that backfill grew past this is split in two, so blocks stay
// cheap to repack and dead points stay few.
constexpr std::size_t max_block = 2 * block_size;

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
    // Moving the base rewrites every plain offset (blocks hold absolute ts);
    // it happens once in ~48 days of uptime, or when an agent's clock jumps.
    std::int64_t new_base = ts_ms < base_ts_ms_ ? ts_ms - base_margin_ms : ts_ms - span + base_margin_ms;
    for (auto& p : raw_) p.ts_offset_ms = static_cast<std::uint32_t>(std::clamp<std::int64_t>(ts_of(p) - new_base, 0, span));
    base_ts_ms_ = new_base;
}

void HistoryRing::decode_live(std::size_t block, std::vector<HistoryPoint>& out) const {
    out.clear();
    decode_block(blocks_[block], base_ts_ms_, out);
    if (block == 0) out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(dead_));
}

std::pair<std::size_t, std::size_t> HistoryRing::locate(std::size_t i) const {
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
        if (i < live(k)) return {k, i};
        i -= live(k);
    }
    return {blocks_.size(), i};
}

template <class F>
void HistoryRing::visit(std::size_t from, F&& f) const {
    std::vector<HistoryPoint> pts;
    std::size_t start = 0;
    for (std::size_t k = 0; k < blocks_.size(); start += live(k), ++k) {
        if (start + live(k) <= from) continue;
        decode_live(k, pts);
        for (std::size_t j = from > start ? from - start : 0; j < pts.size(); ++j) f(start + j, pts[j]);
    }
    for (std::size_t j = from > start ? from - start : 0; j < raw_.size(); ++j) f(start + j, raw_[j]);
}

std::uint16_t HistoryRing::intern(std::string_view name) {
    if (auto i = names_.intern(name)) return *i;
    // Full: keep only names a point still refers to. Rare (see name_slack), so
    // blocks are decoded once to mark and once more to repack with new indices.
    std::vector<bool> used(names_.size(), false);
    visit(0, [&](std::size_t, const HistoryPoint& p) { used[p.top_name] = true; });
    auto remap = names_.compact(used);
    std::vector<HistoryPoint> pts;
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
        decode_live(k, pts);
        for (auto& p : pts) p.top_name = remap[p.top_name];
        blocks_[k] = encode_block(pts, base_ts_ms_);
    }
    dead_ = 0;  // dead points were left out of the repacked oldest block
    for (auto& p : raw_) p.top_name = remap[p.top_name];
    // At most capacity names are live, so there is room now.
    return names_.intern(name).value_or(0);
}

HistoryPoint HistoryRing::point_of(const HistoryEntry& e) {
    auto p = point_of_saved(e);
    p.top_name = intern(e.top_name);
    return p;
}

HistoryPoint HistoryRing::point_of_saved(const HistoryEntry& e) const {
    HistoryPoint p;
    p.ts_offset_ms = static_cast<std::uint32_t>(
        std::clamp<std::int64_t>(e.ts_ms - base_ts_ms_, 0, std::numeric_limits<std::uint32_t>::max()));
    p.seq = static_cast<std::uint32_t>(std::min<std::uint64_t>(e.seq, std::numeric_limits<std::uint32_t>::max()));
    p.cpu_tenths = sat16(e.cpu * 10);
    p.load1_hundredths = sat16(e.load1 * 100);
    p.top_cpu_tenths = sat16(e.top_cpu * 10);
    p.tcp_established = sat16(e.tcp_established);
    p.tcp_listen = sat16(e.tcp_listen);
    p.tcp_time_wait = sat16(e.tcp_time_wait);
    p.tcp_close_wait = sat16(e.tcp_close_wait);
    p.udp = sat16(e.udp);
    p.unix_ = sat16(e.unix_);
    p.opens_exact = sat16(e.opens_exact);
    p.opened_sampled = sat16(e.opened);
    p.closed_sampled = sat16(e.closed);
    return p;
}

std::array<std::span<const std::byte>, 2> HistoryRing::append_touches() const {
    std::span<const std::byte> points;
    if (!raw_.empty()) points = std::as_bytes(std::span(raw_).last(1));
    return {points, core_ring_.append_row()};
}

HistoryRing::Found HistoryRing::find(std::uint32_t seq) const {
    // The common case, a live sample after the instance's newest point: one
    // comparison instead of a binary search over cold memory.
    if (instance_points_ > 0 && !raw_.empty() && raw_.back().seq < seq) return {block_points_ + raw_.size(), false};
    // A lower bound on seq among this instance's points, plain ones first:
    // appends and recent backfill never touch a block.
    const std::size_t first = size_ - instance_points_;
    const std::size_t raw_first = first > block_points_ ? first - block_points_ : 0;
    auto it = std::lower_bound(raw_.begin() + static_cast<std::ptrdiff_t>(raw_first), raw_.end(), seq,
                               [](const HistoryPoint& p, std::uint32_t s) { return p.seq < s; });
    const std::size_t pos = block_points_ + static_cast<std::size_t>(it - raw_.begin());
    const bool dup = it != raw_.end() && it->seq == seq;
    if (dup || pos > block_points_ + raw_first || first >= block_points_) return {pos, dup};
    // Older than every plain point of the instance: walk the blocks back from
    // the newest, decoding only the one the seq falls in.
    std::size_t end = block_points_;
    for (std::size_t k = blocks_.size(); k-- > 0 && end > first;) {
        const auto& b = blocks_[k];
        const std::size_t start = end - live(k);
        if (b.last_seq < seq) return {end, false};
        // Only the oldest block has dead points, and it starts at 0 <= first.
        if (start > first && b.first_seq >= seq) {
            if (b.first_seq == seq) return {start, true};
            end = start;
            continue;
        }
        std::vector<HistoryPoint> pts;
        decode_live(k, pts);
        auto jt = std::lower_bound(pts.begin() + static_cast<std::ptrdiff_t>(first > start ? first - start : 0),
                                   pts.end(), seq, [](const HistoryPoint& p, std::uint32_t s) { return p.seq < s; });
        return {start + static_cast<std::size_t>(jt - pts.begin()), jt != pts.end() && jt->seq == seq};
    }
    return {end, false};
}

void HistoryRing::drop_oldest() {
    --size_;
    if (blocks_.empty()) {
        raw_.erase(raw_.begin());
        return;
    }
    --block_points_;
    if (++dead_ == blocks_.front().count) {
        blocks_.erase(blocks_.begin());
        dead_ = 0;
    }
}

void HistoryRing::seal_oldest_raw() {
    blocks_.push_back(encode_block(std::span(raw_).first(block_size), base_ts_ms_));
    raw_.erase(raw_.begin(), raw_.begin() + block_size);
    block_points_ += block_size;
}

void HistoryRing::place_in_block(std::size_t pos, const HistoryPoint& p) {
    // Rare (backfill older than the plain points): correctness over speed.
    auto [k, j] = locate(pos);
    std::vector<HistoryPoint> pts;
    decode_live(k, pts);
    pts.insert(pts.begin() + static_cast<std::ptrdiff_t>(j), p);
    if (k == 0) dead_ = 0;
    ++block_points_;
    if (pts.size() <= max_block) {
        blocks_[k] = encode_block(pts, base_ts_ms_);
        return;
    }
    const std::size_t half = pts.size() / 2;
    blocks_[k] = encode_block(std::span(pts).first(half), base_ts_ms_);
    blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(k) + 1,
                   encode_block(std::span(pts).subspan(half), base_ts_ms_));
}

void HistoryRing::place(std::size_t pos, const HistoryPoint& p) {
    ++size_;
    if (pos < block_points_) return place_in_block(pos, p);
    if (raw_.capacity() == 0) raw_.reserve(std::min(cap_, raw_keep + block_size));
    raw_.insert(raw_.begin() + static_cast<std::ptrdiff_t>(pos - block_points_), p);
    if (raw_.size() >= raw_keep + block_size) seal_oldest_raw();
}

HistoryRing::Insert HistoryRing::insert(const HistoryEntry& e) {
    core_ring_.set_cores(e.per_core.size());
    fit_time(e.ts_ms);
    const std::uint32_t seq = static_cast<std::uint32_t>(std::min<std::uint64_t>(e.seq, std::numeric_limits<std::uint32_t>::max()));
    auto [pos, duplicate] = find(seq);
    if (duplicate) return Insert::duplicate;
    const bool append = pos == size_;
    if (size_ == cap_) {
        if (pos == 0) return Insert::too_old;
        drop_oldest();
        --pos;
        if (instance_points_ > size_) instance_points_ = size_;
        if (unsaved_ > size_) unsaved_ = size_;
    }
    // A point landing among points already taken is kept aside for the next take.
    if (pos < size_ - unsaved_) {
        strays_.push_back(e);
        strays_.back().per_core.clear();
    } else {
        ++unsaved_;
    }
    // After the drop, so a compaction of the names can let the dropped point's go.
    place(pos, point_of(e));
    ++instance_points_;
    core_ring_.insert(size_ - 1 - pos, e.per_core);
    core_ring_.trim(size_);
    return append ? Insert::appended : Insert::inserted;
}

HistoryEntry HistoryRing::at(std::size_t i) const {
    HistoryPoint p;
    if (i >= block_points_) {
        p = raw_[i - block_points_];
    } else {
        auto [k, j] = locate(i);
        std::vector<HistoryPoint> pts;
        decode_live(k, pts);
        p = pts[j];
    }
    auto e = entry_of(p, ts_of(p), names_.name(p.top_name));
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
    visit(0, [&](std::size_t i, const HistoryPoint& p) {
        if (ts_of(p) < since_ts_ms) return;
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
    });
    return out;
}

std::vector<double> HistoryRing::recent_cpu(std::size_t n) const {
    std::vector<double> out;
    std::size_t from = size_ > n ? size_ - n : 0;
    out.reserve(size_ - from);
    visit(from, [&](std::size_t, const HistoryPoint& p) { out.push_back(p.cpu_tenths / 10.0); });
    return out;
}

HistoryEntry entry_of(const HistoryPoint& p, std::int64_t ts_ms, std::string top_name) {
    HistoryEntry e;
    e.ts_ms = ts_ms;
    e.seq = p.seq;
    e.cpu = p.cpu_tenths / 10.0;
    e.load1 = p.load1_hundredths / 100.0;
    e.top_cpu = p.top_cpu_tenths / 10.0;
    e.top_name = std::move(top_name);
    e.tcp_established = p.tcp_established;
    e.tcp_listen = p.tcp_listen;
    e.tcp_time_wait = p.tcp_time_wait;
    e.tcp_close_wait = p.tcp_close_wait;
    e.udp = p.udp;
    e.unix_ = p.unix_;
    e.opens_exact = p.opens_exact;
    e.opened = p.opened_sampled;
    e.closed = p.closed_sampled;
    return e;
}

std::optional<std::int64_t> HistoryRing::oldest_ts() const {
    if (size_ == 0) return std::nullopt;
    if (!blocks_.empty()) {
        std::vector<HistoryPoint> pts;
        decode_live(0, pts);
        return ts_of(pts.front());
    }
    return ts_of(raw_.front());
}

bool HistoryRing::take_unsaved(PointBatch& out) {
    out.base_ts_ms = base_ts_ms_;
    out.points.clear();
    out.names.clear();
    if (unsaved() == 0) return false;
    // Names are renumbered into the batch's own small table.
    auto local = [&out](const std::string& name) {
        auto it = std::find(out.names.begin(), out.names.end(), name);
        if (it != out.names.end()) return static_cast<std::uint16_t>(it - out.names.begin());
        out.names.push_back(name);
        return static_cast<std::uint16_t>(out.names.size() - 1);
    };
    out.points.reserve(unsaved());
    for (const auto& e : strays_) {
        auto p = point_of_saved(e);
        p.top_name = local(e.top_name);
        out.points.push_back(p);
    }
    visit(size_ - unsaved_, [&](std::size_t, const HistoryPoint& p) {
        auto q = p;
        q.top_name = local(names_.name(p.top_name));
        out.points.push_back(q);
    });
    mark_saved();
    return true;
}

std::size_t HistoryRing::memory_bytes() const {
    std::size_t bytes = raw_.capacity() * sizeof(HistoryPoint) + blocks_.capacity() * sizeof(HistoryBlock);
    for (const auto& b : blocks_) bytes += b.bytes.capacity();
    return bytes + core_ring_.memory_bytes() + names_.memory_bytes();
}

}  // namespace telehub::hub
