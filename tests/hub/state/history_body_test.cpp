// GET /api/hosts/{id}/history's body, written straight into a string: read
// back, it holds every column as the registry gave it (checked against the
// same columns put through nlohmann/json), null for the per-core points
// outside their window, and the minute tier's rows scaled to their units.
#include "hub/state/history_body.hpp"

#define BOOST_TEST_MODULE history_body
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

using namespace telehub::hub;
using nlohmann::json;

namespace {

HostHistory three_points() {
    HostHistory h;
    h.host_id = "web-\"1\"";
    h.interval_ms = 1000;
    auto& c = h.columns;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    c.ts_ms = {1764000000000, 1764000001000, 1764000002003};
    c.seq = {41, 42, 18446744073709551615ULL};
    c.cpu = {12.5, 0.1, 100};
    c.per_core = {{nan, 3.25, 7.5}, {nan, 0, 99.9}};
    c.load1 = {0.01, 1.5, 2};
    c.tcp_established = {100, 101, 4294967295U};
    c.tcp_listen = {12, 12, 12};
    c.tcp_time_wait = {0, 3, 9};
    c.tcp_close_wait = {1, 0, 0};
    c.udp = {8, 8, 9};
    c.unix_ = {140, 141, 142};
    c.top_name = {"d\xc3\xa9mon", "a\\b\"c", ""};
    c.top_cpu = {50.5, 0, 12};
    c.opens_exact = {3, 0, 7};
    c.opened = {2, 0, 5};
    c.closed = {1, 1, 4};
    return h;
}

// The body as nlohmann/json writes the same columns (NaN as null), read back.
json expected_columns(const HostHistory& h) {
    const auto& c = h.columns;
    json j = {{"host_id", h.host_id},          {"interval_ms", h.interval_ms},
              {"ts_ms", c.ts_ms},              {"seq", c.seq},
              {"cpu", c.cpu},                  {"per_core", c.per_core},
              {"load1", c.load1},              {"tcp_established", c.tcp_established},
              {"tcp_listen", c.tcp_listen},    {"tcp_time_wait", c.tcp_time_wait},
              {"tcp_close_wait", c.tcp_close_wait}, {"udp", c.udp},
              {"unix", c.unix_},               {"top_name", c.top_name},
              {"top_cpu", c.top_cpu},          {"opens_exact", c.opens_exact},
              {"opened", c.opened},            {"closed", c.closed}};
    return json::parse(j.dump());
}

MinuteRow minute(std::int64_t minute_ms, std::uint16_t base) {
    MinuteRow r;
    r.minute_ms = minute_ms;
    r.count = 60;
    r.min.cpu_tenths = base;
    r.avg.cpu_tenths = static_cast<std::uint16_t>(base + 5);
    r.max.cpu_tenths = static_cast<std::uint16_t>(base + 10);
    r.avg.load1_hundredths = 125;
    r.max.tcp_established = 65535;
    r.min.unix_ = 7;
    r.avg.opened_sampled = 3;
    return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_column_reads_back_as_the_registry_gave_it) {
    const auto h = three_points();
    auto body = json::parse(history_body(h, nullptr));
    BOOST_TEST(body["minutes"].is_null());
    body.erase("minutes");
    BOOST_TEST(body == expected_columns(h), body.dump());
    BOOST_TEST(body["per_core"][0][0].is_null());
    BOOST_TEST(body["per_core"][1][2] == 99.9);
    BOOST_TEST(body["top_name"][1] == "a\\b\"c");
    BOOST_TEST(body["seq"][2].get<std::uint64_t>() == 18446744073709551615ULL);
}

BOOST_AUTO_TEST_CASE(an_empty_history_has_empty_columns) {
    HostHistory h;
    h.host_id = "idle";
    auto body = json::parse(history_body(h, nullptr));
    BOOST_TEST(body["ts_ms"] == json::array());
    BOOST_TEST(body["per_core"] == json::array());
    BOOST_TEST(body["top_name"] == json::array());
}

BOOST_AUTO_TEST_CASE(the_minute_tier_comes_as_min_avg_and_max_columns_in_their_units) {
    const auto h = three_points();
    const std::vector<MinuteRow> rows = {minute(1763999880000, 100), minute(1763999940000, 123)};
    auto body = json::parse(history_body(h, &rows));
    const auto& m = body["minutes"];
    BOOST_TEST(m["interval_ms"] == 60000);
    BOOST_TEST(m["ts_ms"] == json({1763999880000, 1763999940000}));
    BOOST_TEST(m["count"] == json({60, 60}));
    BOOST_TEST(m["cpu"]["min"] == json({10.0, 12.3}));
    BOOST_TEST(m["cpu"]["avg"] == json({10.5, 12.8}));
    BOOST_TEST(m["cpu"]["max"] == json({11.0, 13.3}));
    BOOST_TEST(m["load1"]["avg"] == json({1.25, 1.25}));
    BOOST_TEST(m["tcp_established"]["max"] == json({65535, 65535}));
    BOOST_TEST(m["unix"]["min"] == json({7, 7}));
    BOOST_TEST(m["opened"]["avg"] == json({3, 3}));
    BOOST_TEST(m["closed"]["max"] == json({0, 0}));
    for (const char* column : {"cpu", "load1", "tcp_established", "tcp_listen", "tcp_time_wait", "tcp_close_wait",
                               "udp", "unix", "top_cpu", "opens_exact", "opened", "closed"})
        BOOST_TEST(m[column].size() == 3u, column);
    BOOST_TEST(m.size() == 15u);
    body.erase("minutes");
    BOOST_TEST(body == expected_columns(h));
}
