// A history point, and a block of consecutive points packed for the older part
// of a host's history. A host's metrics move little from one second to the
// next, so a block stores each column (ts, seq, every 16-bit field) as its
// first value plus the changes, at ~6 bytes a point instead of 36. Packing is
// lossless: a block decodes to exactly the points it was made from.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

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
    std::uint16_t reserved_ = 0;  // explicit padding to a 4-byte multiple; always 0
};
static_assert(sizeof(HistoryPoint) == 36, "keep history points compact");

// Column by column: the first value, then the n-1 deltas either as runs
// (delta, repeat count) or bit-packed as offsets from the smallest delta,
// whichever is smaller. A steady 1 s interval and seq + 1 cost two or three
// bytes a block; a noisy field costs the bits of its delta range. ts is kept
// as absolute milliseconds, so moving the ring's base time leaves blocks alone.
struct HistoryBlock {
    std::vector<std::uint8_t> bytes;  // exactly sized: one allocation per block
    std::uint32_t first_seq = 0;
    std::uint32_t last_seq = 0;
    std::uint16_t count = 0;
};

// `points` (1 to 65535 of them) with ts offsets from `base_ts_ms`.
HistoryBlock encode_block(std::span<const HistoryPoint> points, std::int64_t base_ts_ms);

// Appends the block's points to `out`, ts offsets again from `base_ts_ms`
// (clamped to 0 .. 2^32-1 ms, as when the ring moves its base).
void decode_block(const HistoryBlock& block, std::int64_t base_ts_ms, std::vector<HistoryPoint>& out);

}  // namespace telehub::hub
