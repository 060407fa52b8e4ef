#include "hub/history/history_block.hpp"

#define BOOST_TEST_MODULE history_block
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <limits>
#include <random>

using telehub::hub::decode_block;
using telehub::hub::encode_block;
using telehub::hub::HistoryPoint;

namespace {

constexpr std::int64_t base = 1'763'800'000'000;

bool same(const HistoryPoint& a, const HistoryPoint& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void check_round_trip(const std::vector<HistoryPoint>& pts) {
    auto block = encode_block(pts, base);
    BOOST_TEST(block.count == pts.size());
    BOOST_TEST(block.first_seq == pts.front().seq);
    BOOST_TEST(block.last_seq == pts.back().seq);
    BOOST_TEST(block.bytes.capacity() == block.bytes.size());
    std::vector<HistoryPoint> out(1);  // decode appends after what is there
    decode_block(block, base, out);
    BOOST_REQUIRE(out.size() == pts.size() + 1);
    for (std::size_t i = 0; i < pts.size(); ++i) BOOST_TEST_REQUIRE(same(out[i + 1], pts[i]), "point " << i);
}

std::uint16_t u16(std::mt19937& rng) { return static_cast<std::uint16_t>(rng()); }

}  // namespace

BOOST_AUTO_TEST_CASE(a_single_point_round_trips) {
    HistoryPoint p;
    p.ts_offset_ms = 12345;
    p.seq = 7;
    p.cpu_tenths = 65535;
    p.closed_sampled = 1;
    check_round_trip({p});
}

BOOST_AUTO_TEST_CASE(extreme_values_and_full_range_noise_round_trip) {
    std::mt19937 rng(42);
    std::vector<HistoryPoint> pts(300);
    for (std::size_t i = 0; i < pts.size(); ++i) {
        auto& p = pts[i];
        // ts and seq jump both ways across the whole 32-bit range.
        p.ts_offset_ms = i % 7 == 0 ? (i % 2 ? 0u : std::numeric_limits<std::uint32_t>::max()) : rng();
        p.seq = i % 5 == 0 ? std::numeric_limits<std::uint32_t>::max() - static_cast<std::uint32_t>(i) : rng();
        p.cpu_tenths = i % 2 ? 0 : 65535;
        p.load1_hundredths = u16(rng);
        p.top_cpu_tenths = u16(rng);
        p.top_name = static_cast<std::uint16_t>(i / 50);
        p.tcp_established = u16(rng);
        p.tcp_listen = 12;
        p.tcp_time_wait = static_cast<std::uint16_t>(i);
        p.tcp_close_wait = u16(rng);
        p.udp = 0;
        p.unix_ = u16(rng);
        p.opens_exact = u16(rng);
        p.opened_sampled = u16(rng);
        p.closed_sampled = u16(rng);
    }
    check_round_trip(pts);
}

BOOST_AUTO_TEST_CASE(steady_samples_pack_to_a_few_bytes_a_point) {
    std::mt19937 rng(7);
    std::vector<HistoryPoint> pts(128);
    for (std::size_t i = 0; i < pts.size(); ++i) {
        auto& p = pts[i];
        p.ts_offset_ms = static_cast<std::uint32_t>(86'400'000 + i * 1000 + rng() % 20);
        p.seq = static_cast<std::uint32_t>(1000 + i);
        p.cpu_tenths = static_cast<std::uint16_t>(200 + rng() % 100);
        p.load1_hundredths = static_cast<std::uint16_t>(150 + i / 16);
        p.tcp_established = static_cast<std::uint16_t>(120 + rng() % 4);
        p.tcp_listen = 8;
    }
    check_round_trip(pts);
    auto block = encode_block(pts, base);
    BOOST_TEST_MESSAGE("steady block: " << block.bytes.size() << " bytes for 128 points");
    BOOST_TEST(block.bytes.size() <= 128u * 3);
}

BOOST_AUTO_TEST_CASE(absolute_ts_survive_a_new_base_and_clamp_outside_it) {
    std::vector<HistoryPoint> pts(3);
    pts[0].ts_offset_ms = 5'000;
    pts[1].ts_offset_ms = 6'000;
    pts[2].ts_offset_ms = 7'000;
    auto block = encode_block(pts, base);
    std::vector<HistoryPoint> out;
    decode_block(block, base + 5'500, out);
    BOOST_REQUIRE(out.size() == 3u);
    BOOST_TEST(out[0].ts_offset_ms == 0u);  // before the new base: clamped
    BOOST_TEST(out[1].ts_offset_ms == 500u);
    BOOST_TEST(out[2].ts_offset_ms == 1'500u);
}
