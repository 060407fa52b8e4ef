#include "hub/history/minute_tier.hpp"

#define BOOST_TEST_MODULE minute_tier
#include <boost/test/unit_test.hpp>

using namespace telehub::hub;

namespace {

constexpr std::int64_t hour0 = 1'763'798'400'000;  // a whole hour, unix ms

HistoryPoint at(std::int64_t ts, std::uint16_t cpu_tenths, std::uint16_t established) {
    HistoryPoint p;
    p.ts_offset_ms = static_cast<std::uint32_t>(ts - hour0);
    p.cpu_tenths = cpu_tenths;
    p.tcp_established = established;
    return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(points_fold_into_min_avg_max_per_minute) {
    std::vector<MinuteRow> rows;
    std::vector<HistoryPoint> first = {at(hour0 + 1000, 100, 5), at(hour0 + 2000, 300, 7), at(hour0 + 61'000, 50, 1)};
    add_to_minutes(rows, first, hour0);
    BOOST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[0].minute_ms == hour0);
    BOOST_TEST(rows[0].count == 2u);
    BOOST_TEST(rows[0].min.cpu_tenths == 100);
    BOOST_TEST(rows[0].avg.cpu_tenths == 200);
    BOOST_TEST(rows[0].max.cpu_tenths == 300);
    BOOST_TEST(rows[0].max.tcp_established == 7);
    // A later batch ending the same minute merges, weighted by count.
    std::vector<HistoryPoint> second = {at(hour0 + 30'000, 500, 9)};
    add_to_minutes(rows, second, hour0);
    BOOST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[0].count == 3u);
    BOOST_TEST(rows[0].avg.cpu_tenths == 300);  // (100 + 300 + 500) / 3
    BOOST_TEST(rows[0].max.cpu_tenths == 500);
    BOOST_TEST(rows[1].minute_ms == hour0 + minute_ms);
}

BOOST_AUTO_TEST_CASE(an_hour_of_rows_round_trips_through_bytes) {
    std::vector<MinuteRow> rows;
    std::vector<HistoryPoint> pts;
    for (int s = 0; s < 3600; ++s) pts.push_back(at(hour0 + s * 1000LL, static_cast<std::uint16_t>(s % 97), static_cast<std::uint16_t>(s / 60)));
    add_to_minutes(rows, pts, hour0);
    BOOST_REQUIRE(rows.size() == 60u);
    auto bytes = encode_minutes(rows, hour0);
    BOOST_TEST(bytes.size() < 1500u);  // the point of packing: far under 60 rows x 75 bytes
    auto back = decode_minutes(bytes, hour0);
    BOOST_REQUIRE(back.size() == rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        BOOST_TEST(back[i].minute_ms == rows[i].minute_ms);
        BOOST_TEST(back[i].count == 60u);
        BOOST_TEST(back[i].min.cpu_tenths == rows[i].min.cpu_tenths);
        BOOST_TEST(back[i].avg.cpu_tenths == rows[i].avg.cpu_tenths);
        BOOST_TEST(back[i].max.tcp_established == rows[i].max.tcp_established);
    }
    BOOST_TEST(decode_minutes(std::vector<std::uint8_t>{9, 9, 9}, hour0).empty());  // not ours: no rows, no crash
    bytes.resize(bytes.size() / 2);
    BOOST_TEST(decode_minutes(bytes, hour0).empty());
}

BOOST_AUTO_TEST_CASE(hour_of_rounds_down) {
    BOOST_TEST(hour_of(hour0 + 3'599'999) == hour0);
    BOOST_TEST(hour_of(hour0 + 3'600'000) == hour0 + hour_ms);
}
