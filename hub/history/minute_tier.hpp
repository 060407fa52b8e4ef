// The downsampled tier: one row per minute with the min, avg and max of each
// numeric history column and the number of points it summarises. Rows of one
// clock hour are packed together with the history block encoding (three
// blocks: min, avg, max; a point's ts is the minute's start and its seq the
// count), a few hundred bytes an hour where plain rows would cost ~5 KiB.
// top_name is not summarised (a minimum of names means nothing).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hub/history/history_block.hpp"

namespace telehub::hub {

constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t hour_ms = 3'600'000;

struct MinuteRow {
    std::int64_t minute_ms = 0;  // start of the minute, unix ms
    std::uint32_t count = 0;     // points summarised
    HistoryPoint min, avg, max;  // value fields only; ts_offset_ms, seq and top_name unused
};

// Adds `points` (ts offsets from `base_ts_ms`) to `rows` (sorted by minute,
// kept sorted), merging into rows of the same minute. Averages are weighted
// by count.
void add_to_minutes(std::vector<MinuteRow>& rows, std::span<const HistoryPoint> points, std::int64_t base_ts_ms);

// Merges `more` into `rows` (both sorted by minute).
void merge_minutes(std::vector<MinuteRow>& rows, const std::vector<MinuteRow>& more);

// One hour's rows as bytes, and back (an unreadable blob decodes to no rows).
std::vector<std::uint8_t> encode_minutes(const std::vector<MinuteRow>& rows, std::int64_t hour_start_ms);
std::vector<MinuteRow> decode_minutes(std::span<const std::uint8_t> bytes, std::int64_t hour_start_ms);

// The start of the hour `ts_ms` falls in.
inline std::int64_t hour_of(std::int64_t ts_ms) { return ts_ms - ((ts_ms % hour_ms) + hour_ms) % hour_ms; }

}  // namespace telehub::hub
