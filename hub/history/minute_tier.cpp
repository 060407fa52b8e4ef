#include "hub/history/minute_tier.hpp"

#include <algorithm>
#include <cstring>

namespace telehub::hub {
namespace {

constexpr std::uint16_t HistoryPoint::*value_fields[] = {
    &HistoryPoint::cpu_tenths,    &HistoryPoint::load1_hundredths, &HistoryPoint::top_cpu_tenths,
    &HistoryPoint::tcp_established, &HistoryPoint::tcp_listen,     &HistoryPoint::tcp_time_wait,
    &HistoryPoint::tcp_close_wait, &HistoryPoint::udp,             &HistoryPoint::unix_,
    &HistoryPoint::opens_exact,   &HistoryPoint::opened_sampled,   &HistoryPoint::closed_sampled,
};

constexpr std::uint8_t format_version = 1;

std::int64_t minute_of(std::int64_t ts) { return ts - ((ts % minute_ms) + minute_ms) % minute_ms; }

void merge_row(MinuteRow& into, const MinuteRow& r) {
    const double a = into.count, b = r.count;
    for (auto f : value_fields) {
        into.min.*f = std::min(into.min.*f, r.min.*f);
        into.max.*f = std::max(into.max.*f, r.max.*f);
        into.avg.*f = static_cast<std::uint16_t>((into.avg.*f * a + r.avg.*f * b) / (a + b) + 0.5);
    }
    into.count += r.count;
}

MinuteRow row_of(const HistoryPoint& p, std::int64_t minute) {
    MinuteRow r;
    r.minute_ms = minute;
    r.count = 1;
    r.min = r.avg = r.max = p;
    for (auto* q : {&r.min, &r.avg, &r.max}) {
        q->ts_offset_ms = 0;
        q->seq = 0;
        q->top_name = 0;
    }
    return r;
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t get_u32(std::span<const std::uint8_t> in, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(in[at + i]) << (8 * i);
    return v;
}

}  // namespace

void merge_minutes(std::vector<MinuteRow>& rows, const std::vector<MinuteRow>& more) {
    for (const auto& r : more) {
        auto it = std::lower_bound(rows.begin(), rows.end(), r.minute_ms,
                                   [](const MinuteRow& x, std::int64_t m) { return x.minute_ms < m; });
        if (it != rows.end() && it->minute_ms == r.minute_ms) merge_row(*it, r);
        else rows.insert(it, r);
    }
}

void add_to_minutes(std::vector<MinuteRow>& rows, std::span<const HistoryPoint> points, std::int64_t base_ts_ms) {
    std::vector<MinuteRow> fresh;
    for (const auto& p : points) {
        const auto m = minute_of(base_ts_ms + p.ts_offset_ms);
        auto r = row_of(p, m);
        if (!fresh.empty() && fresh.back().minute_ms == m) merge_row(fresh.back(), r);
        else fresh.push_back(r);
    }
    std::sort(fresh.begin(), fresh.end(), [](const auto& a, const auto& b) { return a.minute_ms < b.minute_ms; });
    merge_minutes(rows, fresh);
}

std::vector<std::uint8_t> encode_minutes(const std::vector<MinuteRow>& rows, std::int64_t hour_start_ms) {
    std::vector<std::uint8_t> out{format_version};
    std::vector<HistoryPoint> pts(rows.size());
    for (auto pick : {&MinuteRow::min, &MinuteRow::avg, &MinuteRow::max}) {
        for (std::size_t i = 0; i < rows.size(); ++i) {
            pts[i] = rows[i].*pick;
            pts[i].ts_offset_ms = static_cast<std::uint32_t>(rows[i].minute_ms - hour_start_ms);
            pts[i].seq = rows[i].count;
        }
        auto b = encode_block(pts, hour_start_ms);
        put_u32(out, b.count);
        put_u32(out, static_cast<std::uint32_t>(b.bytes.size()));
        out.insert(out.end(), b.bytes.begin(), b.bytes.end());
    }
    return out;
}

std::vector<MinuteRow> decode_minutes(std::span<const std::uint8_t> in, std::int64_t hour_start_ms) {
    std::vector<MinuteRow> rows;
    if (in.empty() || in[0] != format_version) return rows;
    std::size_t at = 1;
    std::vector<HistoryPoint> pts;
    for (auto pick : {&MinuteRow::min, &MinuteRow::avg, &MinuteRow::max}) {
        if (at + 8 > in.size()) return {};
        HistoryBlock b;
        b.count = static_cast<std::uint16_t>(get_u32(in, at));
        const std::size_t n = get_u32(in, at + 4);
        at += 8;
        if (at + n > in.size()) return {};
        b.bytes.assign(in.begin() + static_cast<std::ptrdiff_t>(at), in.begin() + static_cast<std::ptrdiff_t>(at + n));
        at += n;
        pts.clear();
        decode_block(b, hour_start_ms, pts);
        if (rows.empty()) rows.resize(pts.size());
        if (pts.size() != rows.size()) return {};
        for (std::size_t i = 0; i < pts.size(); ++i) {
            rows[i].minute_ms = hour_start_ms + pts[i].ts_offset_ms;
            rows[i].count = pts[i].seq;
            rows[i].*pick = pts[i];
        }
    }
    return rows;
}

}  // namespace telehub::hub
