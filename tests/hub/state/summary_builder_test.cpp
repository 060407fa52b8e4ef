#include "hub/state/summary_builder.hpp"

#include <cmath>

#define BOOST_TEST_MODULE summary_builder
#include <boost/test/unit_test.hpp>

using namespace telehub::hub;
using nlohmann::json;

namespace {

HostSummary web() {
    HostSummary s;
    s.host_id = "web-1";
    s.hostname = "web-1.example";
    s.online = true;
    s.last_seen_ms = 1763800000000;
    s.hot = true;
    s.cpu = 91.5;
    s.cores = 8;
    s.load1 = 3.5;
    s.mem_total = 16;
    s.mem_available = 8;
    s.top_pid = 1234;
    s.top_name = "nginx";
    s.top_cpu = 350.2;
    s.tcp_established = 120;
    s.tcp_listen = 8;
    s.sockets_total = 195;
    s.seq = 42;
    s.interval_ms = 1000;
    s.gaps = 2;
    return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(summary_has_every_protocol_field) {
    auto j = summary_json(web());
    for (auto key : {"host_id", "hostname", "online", "last_seen_ms", "hot", "cpu", "cores", "load1", "mem_total",
                     "mem_available", "top", "tcp_established", "tcp_listen", "sockets_total", "seq", "interval_ms",
                     "gaps"})
        BOOST_TEST(j.contains(key), key);
    BOOST_TEST(j["top"]["name"] == "nginx");
    BOOST_TEST(j["top"]["pid"] == 1234);
    BOOST_TEST(j["cpu"].get<double>() == 91.5);
    BOOST_TEST(j["gaps"] == 2);
    HostSummary none;
    none.host_id = "x";
    BOOST_TEST(summary_json(none)["top"].is_null());
}

BOOST_AUTO_TEST_CASE(summaries_frame_shape) {
    HostCounts c{.online = 1, .offline = 1, .hot = 1, .total = 2};
    auto other = web();
    other.host_id = "db-1";
    auto j = json::parse(build_summaries_frames(5, 80, c, {web(), other}, 250).at(0));
    BOOST_TEST(j["type"] == "summaries");
    BOOST_TEST(j["ts_ms"] == 5);
    BOOST_TEST(j["high_cpu"].get<double>() == 80.0);
    BOOST_TEST(j["counts"]["total"] == 2);
    BOOST_TEST(j["counts"]["hot"] == 1);
    BOOST_TEST(j["hosts"].size() == 2u);
    BOOST_TEST(j["hosts"][1]["host_id"] == "db-1");
    BOOST_TEST(j["part"] == 0);
    BOOST_TEST(j["parts"] == 1);
}

BOOST_AUTO_TEST_CASE(summaries_go_in_parts_of_at_most_so_many_hosts) {
    std::vector<HostSummary> hosts;
    for (int i = 0; i < 7; ++i) {
        hosts.push_back(web());
        hosts.back().host_id = "h" + std::to_string(i);
    }
    HostCounts c{.online = 7, .total = 7};
    auto frames = build_summaries_frames(9, 80, c, hosts, 3);
    BOOST_REQUIRE(frames.size() == 3u);
    std::vector<std::string> seen;
    for (std::size_t p = 0; p < frames.size(); ++p) {
        auto j = json::parse(frames[p]);
        BOOST_TEST(j["type"] == "summaries");
        BOOST_TEST(j["ts_ms"] == 9);
        BOOST_TEST(j["part"] == p);
        BOOST_TEST(j["parts"] == 3);
        BOOST_TEST(j["counts"]["total"] == 7);  // every part carries the fleet's counts
        BOOST_TEST(j["hosts"].size() == (p < 2 ? 3u : 1u));
        for (auto& h : j["hosts"]) seen.push_back(h["host_id"]);
    }
    BOOST_TEST(seen == std::vector<std::string>({"h0", "h1", "h2", "h3", "h4", "h5", "h6"}),
               boost::test_tools::per_element());
    // No host at all is still one frame, with the counts.
    auto empty = build_summaries_frames(9, 80, c, {}, 3);
    BOOST_REQUIRE(empty.size() == 1u);
    auto j = json::parse(empty[0]);
    BOOST_TEST(j["hosts"].empty());
    BOOST_TEST(j["parts"] == 1);
    // Exactly full parts make no empty last part.
    BOOST_TEST(build_summaries_frames(9, 80, c, std::vector<HostSummary>(hosts.begin(), hosts.begin() + 6), 3).size() == 2u);
}

BOOST_AUTO_TEST_CASE(snapshot_frame_carries_sparks) {
    auto j = json::parse(build_snapshot_frame(7, 75, {}, {HostSnapshot{web(), {1.5, 2.5}}}));
    BOOST_TEST(j["type"] == "snapshot");
    BOOST_TEST(j["hosts"][0]["spark"] == json::array({1.5, 2.5}));
    BOOST_TEST(j["hosts"][0]["host_id"] == "web-1");
    // The same summary as every other list, plus the spark; a missing point is null.
    auto h = json::parse(build_snapshot_frame(7, 75, {.online = 1, .total = 1},
                                              {HostSnapshot{web(), {1.5, std::nan(""), 3}}}))["hosts"][0];
    BOOST_TEST(h["spark"] == json::parse("[1.5,null,3.0]"));
    h.erase("spark");
    BOOST_TEST(h == summary_json(web()), h.dump() + " vs " + summary_json(web()).dump());
    auto empty = json::parse(build_snapshot_frame(7, 75, {}, {}));
    BOOST_TEST(empty["hosts"].empty());
    BOOST_TEST(empty["counts"]["total"] == 0);
}

BOOST_AUTO_TEST_CASE(hosts_body_for_rest) {
    auto j = json::parse(build_hosts_body(80, {.online = 1, .total = 1}, {web()}));
    BOOST_TEST(!j.contains("type"));
    BOOST_TEST(j["counts"]["online"] == 1);
    BOOST_TEST(j["hosts"][0]["tcp_listen"] == 8);
}

BOOST_AUTO_TEST_CASE(summary_carries_leaks_and_opens_per_second) {
    auto s = web();
    s.leaks = 2;
    s.opens_per_s = 12.5;
    auto j = summary_json(s);
    BOOST_TEST(j["leaks"] == 2);
    BOOST_TEST(j["opens_per_s"].get<double>() == 12.5);
    BOOST_TEST(summary_json(HostSummary{})["leaks"] == 0);
}

BOOST_AUTO_TEST_CASE(summary_carries_the_container_count_not_the_names) {
    auto s = web();
    s.containers = 7;
    s.container_names = {"web-frontend"};
    auto j = summary_json(s);
    BOOST_TEST(j["containers"] == 7);
    BOOST_TEST(!j.contains("container_names"));
    auto frame = json::parse(build_summaries_frames(5, 80, {.total = 1}, {s}, 250).at(0));
    BOOST_TEST(frame["hosts"][0]["containers"] == 7);
}

BOOST_AUTO_TEST_CASE(summaries_frame_escapes_names_and_writes_null_for_no_top) {
    HostSummary odd;
    odd.host_id = "we\"ird\\host\n\x01";
    odd.hostname = "h\xc3\xa9";  // UTF-8 passes through
    odd.cpu = 12.25;
    auto j = json::parse(build_summaries_frames(5, 80, {.total = 1}, {odd}, 250).at(0));
    BOOST_TEST(j["hosts"][0]["host_id"] == odd.host_id);
    BOOST_TEST(j["hosts"][0]["hostname"] == odd.hostname);
    BOOST_TEST(j["hosts"][0]["top"].is_null());
    BOOST_TEST(j["hosts"][0]["cpu"].get<double>() == 12.25);
    BOOST_TEST(json::parse(build_hosts_body(80, {}, {})).at("hosts").empty());
}

BOOST_AUTO_TEST_CASE(written_summaries_match_the_json_ones_field_for_field) {
    auto top_less = web();
    top_less.top_pid = 0;
    top_less.top_name.clear();
    auto j = json::parse(build_hosts_body(80, {.online = 2, .total = 3}, {web(), top_less, HostSummary{}}));
    BOOST_TEST(j["hosts"][0] == summary_json(web()));
    BOOST_TEST(j["hosts"][1] == summary_json(top_less));
    BOOST_TEST(j["hosts"][2] == summary_json(HostSummary{}));
    BOOST_TEST(j["counts"] == counts_json({.online = 2, .total = 3}));
}
