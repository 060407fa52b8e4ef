// /ws/live: snapshot, once-a-second summaries with the client's filter, raw
// sample frames of detail-subscribed hosts, and back-pressure: a client that
// never reads does not hold up another.
#include <algorithm>

#include "hub_harness.hpp"

#define BOOST_TEST_MODULE hub_live
#include <boost/test/unit_test.hpp>

using namespace telehub;
using namespace telehub::test;
using nlohmann::json;

namespace {

// The next message of `type`, skipping others; null on timeout.
json next_of_type(WsClient& ws, const std::string& type, std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto m = ws.read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
        if (!m) return nullptr;
        auto j = json::parse(*m, nullptr, false);
        if (j.is_object() && j["type"] == type) return j;
    }
    return nullptr;
}

std::vector<std::string> ids(const json& frame) {
    std::vector<std::string> out;
    for (const auto& h : frame["hosts"]) out.push_back(h["host_id"]);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(snapshot_summaries_filter_and_detail) {
    HubProcess hub;
    // A long interval keeps both online (and hot-1 hot) while the test reads.
    FakeAgent hot(hub.port, "hot-1", 1000, 5000);
    FakeAgent cool(hub.port, "cool-1", 1000, 5000);
    for (int i = 0; i < 3; ++i) {
        hot.send(90);
        cool.send(10);
    }
    BOOST_REQUIRE(wait_until([&] { return hub.host("hot-1")["seq"] == 3 && hub.host("cool-1")["seq"] == 3; }, 3s));

    WsClient live(hub.port, "/ws/live");
    auto snap = next_of_type(live, "snapshot");
    BOOST_REQUIRE(snap.is_object());
    BOOST_TEST(ids(snap) == (std::vector<std::string>{"cool-1", "hot-1"}), boost::test_tools::per_element());
    BOOST_TEST(snap["hosts"][1]["spark"] == json::array({90.0, 90.0, 90.0}), snap.dump());
    BOOST_TEST(snap["high_cpu"].get<double>() == 80.0);
    auto sum = next_of_type(live, "summaries", 3s);
    BOOST_REQUIRE(sum.is_object());
    BOOST_TEST(sum["hosts"].size() == 2u);
    BOOST_TEST(sum["counts"]["hot"] == 1);

    live.send_text(R"({"type":"subscribe","filter":{"min_cpu":80},"detail":["hot-1"]})");
    auto snap2 = next_of_type(live, "snapshot");
    BOOST_TEST(ids(snap2) == (std::vector<std::string>{"hot-1"}), boost::test_tools::per_element());
    auto sum2 = next_of_type(live, "summaries", 3s);
    BOOST_TEST(ids(sum2) == (std::vector<std::string>{"hot-1"}), boost::test_tools::per_element());
    BOOST_TEST(sum2["counts"]["total"] == 2);

    // Detail: the frame exactly as the agent sent it; none for the other host.
    cool.send(11);
    std::string sent = encode_sample(make_sample("hot-1", hot.seq + 1, 93, 5000));
    hot.ws.send_text(sent);
    ++hot.seq;
    auto got = next_of_type(live, "sample", 3s);
    BOOST_REQUIRE(got.is_object());
    BOOST_TEST(got["host_id"] == "hot-1");
    BOOST_TEST(got == json::parse(sent));

    // Bad client messages get an error frame; the connection stays open.
    live.send_text("{oops");
    BOOST_TEST(next_of_type(live, "error")["code"] == "bad_json");
    live.send_text(R"({"type":"subscribe","filter":{"min_cpu":"high"}})");
    auto err = next_of_type(live, "error");
    BOOST_TEST(err["message"].get<std::string>().find("min_cpu") != std::string::npos);
    live.send_text(R"({"type":"dance"})");
    BOOST_TEST(next_of_type(live, "error")["code"] == "unknown_type");
    live.send_binary("\x01\x02");
    BOOST_TEST(next_of_type(live, "error")["code"] == "binary_frame");
    BOOST_TEST(next_of_type(live, "summaries", 3s).is_object());
    BOOST_TEST(!live.closed());
}

BOOST_AUTO_TEST_CASE(summaries_come_in_parts_that_make_one_set) {
    HubProcess hub({"--live-part-hosts", "2", "--quiet"});
    std::vector<std::unique_ptr<FakeAgent>> agents;
    for (int i = 0; i < 5; ++i) {
        agents.push_back(std::make_unique<FakeAgent>(hub.port, "host-" + std::to_string(i), 1000, 5000));
        agents.back()->send(10.0 * i);
    }
    BOOST_REQUIRE(wait_until([&] { return hub.get_json("/api/hosts")["counts"]["online"] == 5; }, 3s));

    WsClient live(hub.port, "/ws/live");
    json first;
    for (int i = 0; i < 10 && !(first.is_object() && first["part"] == 0); ++i) first = next_of_type(live, "summaries", 3s);
    BOOST_REQUIRE(first.is_object());
    BOOST_REQUIRE(first["part"] == 0);
    BOOST_TEST(first["parts"] == 3);
    std::vector<std::string> hosts = ids(first);
    for (int p = 1; p < 3; ++p) {
        auto part = next_of_type(live, "summaries", 3s);
        BOOST_REQUIRE(part.is_object());
        BOOST_TEST(part["part"] == p);
        BOOST_TEST(part["parts"] == 3);
        BOOST_TEST(part["ts_ms"] == first["ts_ms"]);
        BOOST_TEST(part["counts"]["online"] == 5);  // fleet-wide in every part
        for (auto& id : ids(part)) hosts.push_back(id);
    }
    std::sort(hosts.begin(), hosts.end());
    BOOST_TEST(hosts == (std::vector<std::string>{"host-0", "host-1", "host-2", "host-3", "host-4"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_fleet_bigger_than_the_queue_limit_still_gets_its_snapshot_and_summaries) {
    // 30 hosts make a snapshot and a summaries set of ~14 KB each, over twice
    // --live-queue-bytes: the size of the fleet's view is not a client falling behind.
    HubProcess hub({"--live-queue-bytes", "4096", "--live-stall-ms", "1000", "--quiet"});
    std::vector<std::unique_ptr<FakeAgent>> agents;
    for (int i = 0; i < 30; ++i) {
        agents.push_back(std::make_unique<FakeAgent>(hub.port, "fleet-host-" + std::to_string(i), 1000, 5000));
        agents.back()->send(50);
    }
    BOOST_REQUIRE(wait_until([&] { return hub.get_json("/api/hosts")["counts"]["online"] == 30; }, 5s));
    WsClient live(hub.port, "/ws/live");
    auto snap = next_of_type(live, "snapshot");
    BOOST_REQUIRE(snap.is_object());
    BOOST_TEST(snap["hosts"].size() == 30u);
    BOOST_TEST(snap.dump().size() > 2 * 4096u);
    for (int i = 0; i < 3; ++i) {
        auto sum = next_of_type(live, "summaries", 3s);
        BOOST_REQUIRE(sum.is_object());
        BOOST_TEST(sum["hosts"].size() == 30u);
    }
    BOOST_TEST(!live.closed());
    BOOST_TEST(hub.stat("live_clients_dropped") == 0u);
}

BOOST_AUTO_TEST_CASE(a_client_that_never_reads_does_not_stop_others) {
    HubProcess hub({"--live-queue-bytes", "262144", "--live-stall-ms", "1000", "--quiet"});
    FakeAgent fast(hub.port, "firehose");
    fast.send(50, 150);

    WsClient stuck(hub.port, "/ws/live");
    BOOST_REQUIRE(stuck.send_text(R"({"type":"subscribe","detail":["firehose"]})"));
    WsClient watcher(hub.port, "/ws/live");
    BOOST_REQUIRE(next_of_type(watcher, "snapshot").is_object());

    // ~60 KB frames as fast as the hub takes them: the stuck client's socket
    // buffers and then its queue fill up.
    std::int64_t last_ts = 0;
    int summaries = 0;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
        for (int i = 0; i < 20; ++i) BOOST_REQUIRE(fast.send(50, 150));
        while (auto m = watcher.read(1ms)) {
            auto j = json::parse(*m);
            if (j["type"] != "summaries") continue;
            BOOST_TEST(j["ts_ms"].get<std::int64_t>() > last_ts);
            last_ts = j["ts_ms"];
            ++summaries;
        }
        if (hub.stat("live_clients_dropped") >= 1 && summaries >= 3) break;
    }
    BOOST_TEST(hub.stat("live_clients_dropped") == 1u);
    BOOST_TEST(summaries >= 3);
    // The watcher still gets summaries after the stuck client is gone.
    BOOST_TEST(next_of_type(watcher, "summaries", 3s).is_object());
    BOOST_TEST(hub.stat("live_clients") == 1u);
    BOOST_TEST(hub.proc->output().find("dropped: not reading") != std::string::npos);
}
