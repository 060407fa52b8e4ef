#include "hub/history/history_block.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace telehub::hub {
namespace {

constexpr std::uint16_t HistoryPoint::*fields[] = {
    &HistoryPoint::cpu_tenths,      &HistoryPoint::load1_hundredths, &HistoryPoint::top_cpu_tenths,
    &HistoryPoint::top_name,        &HistoryPoint::tcp_established,  &HistoryPoint::tcp_listen,
    &HistoryPoint::tcp_time_wait,   &HistoryPoint::tcp_close_wait,   &HistoryPoint::udp,
    &HistoryPoint::unix_,           &HistoryPoint::opens_exact,      &HistoryPoint::opened_sampled,
    &HistoryPoint::closed_sampled,
};
// Column 0 is ts, 1 is seq, the rest are `fields`.
constexpr int column_count = 2 + static_cast<int>(std::size(fields));
// A mode byte at or below 64 is a bit width; this one marks runs.
constexpr std::uint8_t runs_mode = 0xFF;

std::int64_t get(const HistoryPoint& p, int c, std::int64_t base) {
    if (c == 0) return base + p.ts_offset_ms;
    if (c == 1) return p.seq;
    return p.*fields[c - 2];
}

void set(HistoryPoint& p, int c, std::uint64_t v, std::int64_t base) {
    if (c == 0) {
        constexpr std::int64_t span = std::numeric_limits<std::uint32_t>::max();
        p.ts_offset_ms = static_cast<std::uint32_t>(std::clamp<std::int64_t>(static_cast<std::int64_t>(v) - base, 0, span));
    } else if (c == 1) {
        p.seq = static_cast<std::uint32_t>(v);
    } else {
        p.*fields[c - 2] = static_cast<std::uint16_t>(v);
    }
}

std::uint64_t zigzag(std::int64_t v) { return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63); }
std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

std::size_t varint_size(std::uint64_t v) {
    std::size_t n = 1;
    for (; v >= 0x80; v >>= 7) ++n;
    return n;
}

class Writer {
public:
    explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}
    void byte(std::uint8_t b) { out_.push_back(b); }
    void varint(std::uint64_t v) {
        for (; v >= 0x80; v >>= 7) out_.push_back(static_cast<std::uint8_t>(v | 0x80));
        out_.push_back(static_cast<std::uint8_t>(v));
    }
    // LSB first; `v` is below 2^w.
    void bits(std::uint64_t v, unsigned w) {
        if (w > 32) {
            bits(v & 0xFFFFFFFFu, 32);
            v >>= 32;
            w -= 32;
        }
        acc_ |= v << pending_;
        pending_ += w;
        for (; pending_ >= 8; pending_ -= 8, acc_ >>= 8) out_.push_back(static_cast<std::uint8_t>(acc_));
    }
    void flush_bits() {
        if (pending_ > 0) out_.push_back(static_cast<std::uint8_t>(acc_));
        acc_ = 0;
        pending_ = 0;
    }

private:
    std::vector<std::uint8_t>& out_;
    std::uint64_t acc_ = 0;
    unsigned pending_ = 0;
};

// Bytes are our own, but a short or odd block reads as zeros rather than past the end.
class Reader {
public:
    explicit Reader(const std::vector<std::uint8_t>& in) : p_(in.data()), end_(in.data() + in.size()) {}
    std::uint8_t byte() { return p_ < end_ ? *p_++ : 0; }
    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (unsigned shift = 0; p_ < end_ && shift < 64; shift += 7) {
            std::uint8_t b = *p_++;
            v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
            if (!(b & 0x80)) break;
        }
        return v;
    }
    std::uint64_t bits(unsigned w) {
        if (w > 32) {
            std::uint64_t low = bits(32);
            return low | (bits(w - 32) << 32);
        }
        for (; pending_ < w; pending_ += 8) acc_ |= static_cast<std::uint64_t>(byte()) << pending_;
        std::uint64_t v = acc_ & ((std::uint64_t{1} << w) - 1);
        acc_ >>= w;
        pending_ -= w;
        return v;
    }
    void drop_bits() {  // the rest of a packed column's last byte is padding
        acc_ = 0;
        pending_ = 0;
    }

private:
    const std::uint8_t* p_;
    const std::uint8_t* end_;
    std::uint64_t acc_ = 0;
    unsigned pending_ = 0;
};

struct Plan {
    std::size_t bytes = 0;
    bool runs = false;
    unsigned width = 0;
    std::int64_t lo = 0;
};

Plan plan_column(std::span<const HistoryPoint> pts, int c, std::int64_t base) {
    Plan plan;
    plan.bytes = varint_size(zigzag(get(pts[0], c, base)));
    if (pts.size() == 1) return plan;
    std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = std::numeric_limits<std::int64_t>::min();
    std::size_t runs_bytes = 1;
    std::int64_t run_delta = 0;
    std::size_t run = 0;
    for (std::size_t i = 1; i < pts.size(); ++i) {
        std::int64_t d = get(pts[i], c, base) - get(pts[i - 1], c, base);
        lo = std::min(lo, d);
        hi = std::max(hi, d);
        if (run > 0 && d == run_delta) {
            ++run;
            continue;
        }
        if (run > 0) runs_bytes += varint_size(zigzag(run_delta)) + varint_size(run - 1);
        run_delta = d;
        run = 1;
    }
    runs_bytes += varint_size(zigzag(run_delta)) + varint_size(run - 1);
    const unsigned width = static_cast<unsigned>(std::bit_width(static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo)));
    const std::size_t packed_bytes = 1 + varint_size(zigzag(lo)) + ((pts.size() - 1) * width + 7) / 8;
    plan.runs = runs_bytes < packed_bytes;
    plan.width = width;
    plan.lo = lo;
    plan.bytes += std::min(runs_bytes, packed_bytes);
    return plan;
}

void write_column(Writer& w, const Plan& plan, std::span<const HistoryPoint> pts, int c, std::int64_t base) {
    w.varint(zigzag(get(pts[0], c, base)));
    if (pts.size() == 1) return;
    if (!plan.runs) {
        w.byte(static_cast<std::uint8_t>(plan.width));
        w.varint(zigzag(plan.lo));
        for (std::size_t i = 1; i < pts.size(); ++i) {
            std::int64_t d = get(pts[i], c, base) - get(pts[i - 1], c, base);
            w.bits(static_cast<std::uint64_t>(d) - static_cast<std::uint64_t>(plan.lo), plan.width);
        }
        w.flush_bits();
        return;
    }
    w.byte(runs_mode);
    for (std::size_t i = 1; i < pts.size();) {
        std::int64_t d = get(pts[i], c, base) - get(pts[i - 1], c, base);
        std::size_t run = 1;
        while (i + run < pts.size() && get(pts[i + run], c, base) - get(pts[i + run - 1], c, base) == d) ++run;
        w.varint(zigzag(d));
        w.varint(run - 1);
        i += run;
    }
}

void read_column(Reader& r, HistoryPoint* pts, std::size_t n, int c, std::int64_t base) {
    // Unsigned sums wrap instead of overflowing; ts and values fit int64 either way.
    auto v = static_cast<std::uint64_t>(unzigzag(r.varint()));
    set(pts[0], c, v, base);
    if (n == 1) return;
    const std::uint8_t mode = r.byte();
    if (mode == runs_mode) {
        for (std::size_t i = 1; i < n;) {
            auto d = static_cast<std::uint64_t>(unzigzag(r.varint()));
            std::uint64_t run = r.varint() + 1;
            for (; run > 0 && i < n; --run, ++i) set(pts[i], c, v += d, base);
        }
        return;
    }
    const unsigned width = std::min<unsigned>(mode, 64);
    auto lo = static_cast<std::uint64_t>(unzigzag(r.varint()));
    for (std::size_t i = 1; i < n; ++i) set(pts[i], c, v += lo + r.bits(width), base);
    r.drop_bits();
}

}  // namespace

HistoryBlock encode_block(std::span<const HistoryPoint> points, std::int64_t base_ts_ms) {
    HistoryBlock b;
    if (points.empty()) return b;
    points = points.first(std::min<std::size_t>(points.size(), std::numeric_limits<std::uint16_t>::max()));
    Plan plans[column_count];
    std::size_t total = 0;
    for (int c = 0; c < column_count; ++c) total += (plans[c] = plan_column(points, c, base_ts_ms)).bytes;
    b.bytes.reserve(total);
    Writer w(b.bytes);
    for (int c = 0; c < column_count; ++c) write_column(w, plans[c], points, c, base_ts_ms);
    b.first_seq = points.front().seq;
    b.last_seq = points.back().seq;
    b.count = static_cast<std::uint16_t>(points.size());
    return b;
}

void decode_block(const HistoryBlock& block, std::int64_t base_ts_ms, std::vector<HistoryPoint>& out) {
    if (block.count == 0) return;
    const std::size_t from = out.size();
    out.resize(from + block.count);
    Reader r(block.bytes);
    for (int c = 0; c < column_count; ++c) read_column(r, out.data() + from, block.count, c, base_ts_ms);
}

}  // namespace telehub::hub
