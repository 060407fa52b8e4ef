// The history store end to end (issue 19): the one-minute tier answers a
// two-hour query and survives a restart; DELETE /api/hosts/{id} and
// --forget-after remove a host with its stored history; --max-hosts bounds
// what a flood of fresh host ids can make the hub hold, while real agents
// keep streaming without a gap.
#define BOOST_TEST_MODULE hub_history_store
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include "tests/integration/hub_harness.hpp"
#include "tests/support/proc_usage.hpp"

using namespace telehub;
using namespace telehub::test;
using nlohmann::json;

namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The hub on `port` with `data` as its data directory (so a test can restart it).
std::unique_ptr<ChildProcess> hub_on(std::uint16_t port, const TempDir& data, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {hub_binary, "--listen", "127.0.0.1:" + std::to_string(port), "--threads", "2",
                                     "--data-dir", data.str()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto hub = std::make_unique<ChildProcess>(argv);
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return http_get(port, "/healthz").status == 200 || !hub->running(); }, 15s) &&
                              hub->running(),
                          "hub did not come up: " << hub->output());
    return hub;
}

json get(std::uint16_t port, const std::string& target) {
    auto r = http_get(port, target);
    return r.status == 200 ? json::parse(r.body, nullptr, false) : json(nullptr);
}

std::uint64_t points_written(std::uint16_t port, const HttpOptions& auth = {}) {
    auto r = http_request(port, "GET", "/api/stats", auth);
    auto s = r.status == 200 ? json::parse(r.body, nullptr, false) : json(nullptr);
    return s.is_object() && s["store"].is_object() ? s["store"]["points_written"].get<std::uint64_t>() : 0;
}

// `n` samples from `id`, one a second in agent time, the newest `end_ms`.
void send_backdated(std::uint16_t port, const std::string& id, std::size_t n, std::int64_t end_ms,
                    double (*cpu_of)(std::int64_t ts)) {
    FakeAgent a(port, id, 77, 1000);
    for (std::size_t i = 1; i <= n; ++i) {
        auto s = make_sample(id, i, 0, 1000);
        s.ts_ms = end_ms - static_cast<std::int64_t>(n - i) * 1000;
        s.cpu.total = cpu_of(s.ts_ms);
        BOOST_REQUIRE(a.ws.send_text(encode_sample(s)));
    }
    BOOST_REQUIRE(wait_until([&] { return get(port, "/api/hosts/" + id)["host"]["seq"] == n; }, 20s));
    a.ws.close();
}

// Steady within a minute and different from one minute to the next, so each
// minute's min, avg and max are exactly known.
double minute_cpu(std::int64_t ts) { return static_cast<double>((ts / 60'000) % 50); }

}  // namespace

BOOST_AUTO_TEST_CASE(the_minute_tier_answers_two_hours_and_survives_a_restart) {
    TempDir data{"telehub-tier"};
    const auto port = free_port();
    auto hub = hub_on(port, data, {"--quiet"});
    const auto end = now_ms() - 1000;
    send_backdated(port, "tiered", 7200, end, minute_cpu);
    BOOST_REQUIRE(wait_until([&] { return points_written(port) >= 7200 - 64; }, 20s));

    for (int round = 0; round < 2; ++round) {
        auto h = get(port, "/api/hosts/tiered/history?seconds=7200");
        BOOST_REQUIRE(h.is_object());
        // Full resolution for the hour memory holds...
        BOOST_TEST(h["seq"].size() == 3600u);
        BOOST_TEST(h["seq"].back() == 7200);
        const auto oldest_full = h["ts_ms"].front().get<std::int64_t>();
        // ...and the minute tier before it.
        auto& m = h["minutes"];
        BOOST_REQUIRE_MESSAGE(m.is_object(), h.dump().substr(0, 300));
        BOOST_TEST(m["interval_ms"] == 60000);
        const auto& ts = m["ts_ms"];
        BOOST_TEST(ts.size() >= 59u);
        BOOST_TEST(ts.size() <= 61u);
        std::uint64_t count = 0;
        for (std::size_t i = 0; i < ts.size(); ++i) {
            const auto minute = ts[i].get<std::int64_t>();
            BOOST_TEST(minute >= end - 7200 * 1000 - 60'000);
            BOOST_TEST(minute < oldest_full);
            count += m["count"][i].get<std::uint64_t>();
            const double want = minute_cpu(minute);
            BOOST_TEST(m["cpu"]["min"][i].get<double>() == want);
            BOOST_TEST(m["cpu"]["avg"][i].get<double>() == want);
            BOOST_TEST(m["cpu"]["max"][i].get<double>() == want);
            BOOST_TEST(m["tcp_established"]["max"][i] == 12);
        }
        // Every sample older than the full-resolution hour is summarised, and
        // the minute holding the oldest full point counts some of those too.
        BOOST_TEST(count >= 3600u);
        BOOST_TEST(count <= 3660u);
        // A query within the hour needs no tier.
        BOOST_TEST(get(port, "/api/hosts/tiered/history?seconds=600")["minutes"].is_null());
        if (round == 0) {
            BOOST_REQUIRE(hub->stop(SIGTERM, 10s).has_value());
            hub = hub_on(port, data, {"--quiet"});
        }
    }
    BOOST_TEST(hub->output().find("restored 1 hosts") != std::string::npos, hub->output());
}

BOOST_AUTO_TEST_CASE(delete_forgets_a_host_and_its_stored_history) {
    TempDir data{"telehub-delete"};
    const auto port = free_port();
    const std::vector<std::string> tokens = {"--admin-token", "admin-secret-19", "--viewer-token", "viewer-secret-19"};
    auto hub = hub_on(port, data, tokens);
    auto auth = [](const std::string& token) { return HttpOptions{{{"Authorization", "Bearer " + token}}}; };
    auto viewer = auth("viewer-secret-19");
    auto admin = auth("admin-secret-19");
    auto host_status = [&](const std::string& id) { return http_request(port, "GET", "/api/hosts/" + id, viewer).status; };
    HttpResult online;
    {
        FakeAgent keep(port, "keep"), gone(port, "gone");
        for (int i = 0; i < 70; ++i) BOOST_REQUIRE(keep.send(5) && gone.send(5));
        BOOST_REQUIRE(wait_until([&] { return points_written(port, viewer) >= 128; }, 10s));
        online = http_request(port, "DELETE", "/api/hosts/gone", admin);
        BOOST_TEST(online.status == 409);
        BOOST_TEST(online.body.find("host_online") != std::string::npos, online.body);
        keep.ws.close();
        gone.ws.close();
    }
    BOOST_REQUIRE(wait_until([&] { return http_request(port, "GET", "/api/hosts", viewer).body.find("\"online\":true") == std::string::npos; }, 10s));
    BOOST_TEST(http_request(port, "DELETE", "/api/hosts/gone").status == 401);
    BOOST_TEST(http_request(port, "DELETE", "/api/hosts/gone", viewer).status == 403);
    auto done = http_request(port, "DELETE", "/api/hosts/gone", admin);
    BOOST_TEST(done.status == 200, done.body);
    BOOST_TEST(host_status("gone") == 404);
    BOOST_TEST(http_request(port, "GET", "/api/hosts/gone/history", viewer).status == 404);
    BOOST_TEST(http_request(port, "DELETE", "/api/hosts/gone", admin).status == 404);
    BOOST_TEST(host_status("keep") == 200);
    BOOST_TEST(wait_until([&] { return hub->output().find("forgot host 'gone'") != std::string::npos; }, 10s), hub->output());
    // Each DELETE that reached the host's route is in the audit log, whatever its outcome, under the id it answered with.
    BOOST_TEST(online.header("X-Telehub-Command-Id").size() == 16u);
    auto audit = nlohmann::json::parse(http_request(port, "GET", "/api/audit", admin).body, nullptr, false);
    BOOST_REQUIRE(audit.is_object());
    std::vector<int> statuses;
    for (const auto& e : audit["entries"])
        if (e.value("op", "") == "forget" && e.value("host", "") == "gone") {
            statuses.push_back(e.value("status", 0));
            BOOST_TEST(e.value("token", "") == "admin");
            if (e.value("status", 0) == 200) BOOST_TEST(e["result"].value("forgotten", "") == "gone", e.dump());
            if (e.value("status", 0) == 200) BOOST_TEST(e.value("id", "") == done.header("X-Telehub-Command-Id"), e.dump());
        }
    BOOST_TEST((statuses == std::vector<int>{409, 200, 404}), audit.dump());
    // After a restart the store gives back the kept host and not the forgotten one.
    BOOST_REQUIRE(hub->stop(SIGTERM, 10s).has_value());
    hub = hub_on(port, data, tokens);
    BOOST_TEST(host_status("keep") == 200);
    // (its points carry a year-old agent clock, so only its record and last seq come back, not its hour)
    BOOST_TEST(http_request(port, "GET", "/api/hosts/keep", viewer).body.find("\"seq\":70,") != std::string::npos);
    BOOST_TEST(host_status("gone") == 404);
}

BOOST_AUTO_TEST_CASE(forget_after_removes_a_silent_host_and_its_stored_history) {
    TempDir data{"telehub-forget"};
    const auto port = free_port();
    auto hub = hub_on(port, data, {"--forget-after", "3s"});
    {
        FakeAgent a(port, "fleeting");
        for (int i = 0; i < 70; ++i) BOOST_REQUIRE(a.send(5));
        BOOST_REQUIRE(wait_until([&] { return points_written(port) >= 64; }, 10s));
        a.ws.close();
    }
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return http_get(port, "/api/hosts/fleeting").status == 404; }, 10s),
                          "the host was not forgotten: " << hub->output());
    BOOST_TEST(hub->output().find("forgot host 'fleeting'") != std::string::npos, hub->output());
    BOOST_REQUIRE(hub->stop(SIGTERM, 10s).has_value());
    hub = hub_on(port, data, {"--forget-after", "3s"});
    BOOST_TEST(http_get(port, "/api/hosts/fleeting").status == 404);
    BOOST_TEST(get(port, "/api/stats")["store"]["restored_hosts"] == 0);
}

BOOST_AUTO_TEST_CASE(a_flood_of_fresh_host_ids_is_bounded_and_real_agents_see_no_gap) {
    TempDir data{"telehub-flood"};
    const auto port = free_port();
    auto hub = hub_on(port, data, {"--quiet", "--max-hosts", "1000"});
    std::vector<std::unique_ptr<ChildProcess>> agents;
    for (std::string id : {"real-1", "real-2"})
        agents.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
            TELEHUB_BINARY_DIR "/agent/telehub-agent", "--hub", "ws://127.0.0.1:" + std::to_string(port) + "/ws/agent",
            "--host-id", id, "--interval", "0.2", "--top", "3"}));
    BOOST_REQUIRE(wait_until([&] { return get(port, "/api/hosts/real-2")["host"]["seq"] >= 5; }, 10s));
    const auto rss_before = rss_kb(hub->pid());

    // 20,000 ghosts: hello and one sample each, then gone; four at a time.
    constexpr int ghosts = 20000, threads = 4;
    std::atomic<int> next{0}, failed{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (int i; (i = next.fetch_add(1)) < ghosts;) {
                try {
                    FakeAgent g(port, "ghost-" + std::to_string(i), 1, 1000);
                    if (!g.send(1)) ++failed;
                    g.ws.drop();
                } catch (const std::exception&) {
                    ++failed;
                }
            }
        });
    for (auto& t : pool) t.join();
    BOOST_TEST(failed == 0);
    BOOST_REQUIRE(wait_until([&] { return get(port, "/api/stats")["agents_connected"] == 2; }, 10s));
    const auto stats = get(port, "/api/stats");
    const auto rss_after = rss_kb(hub->pid());
    BOOST_TEST_MESSAGE("20,000 fresh host ids with --max-hosts 1000: hub RSS " << rss_before / 1024.0 << " MB before, "
                       << rss_after / 1024.0 << " MB after; hosts held " << stats["hosts"] << ", forgotten "
                       << stats["hosts_forgotten"]);
    std::printf("flood: hub RSS before %.1f MB, after %.1f MB (20000 fresh host ids, --max-hosts 1000; %s hosts held, %s forgotten)\n",
                rss_before / 1024.0, rss_after / 1024.0, stats["hosts"].dump().c_str(), stats["hosts_forgotten"].dump().c_str());
    BOOST_TEST(stats["hosts"].get<std::size_t>() <= 1000u);
    BOOST_TEST(stats["hosts_forgotten"].get<std::size_t>() >= 19000u);
    // Without the bound 20,000 ghosts took the hub from 9 to 133 MB; with it the
    // hub holds at most 1,000 hosts' worth.
    BOOST_TEST(rss_after < rss_before + 40 * 1024, "RSS grew from " << rss_before << " kB to " << rss_after << " kB");
    // The real agents were never refused or made to skip a sample.
    for (std::string id : {"real-1", "real-2"}) {
        auto seqs = get(port, "/api/hosts/" + id + "/history")["seq"].get<std::vector<std::uint64_t>>();
        BOOST_REQUIRE(!seqs.empty());
        for (std::size_t i = 1; i < seqs.size(); ++i) BOOST_TEST_REQUIRE(seqs[i] == seqs[i - 1] + 1, id);
        BOOST_TEST(get(port, "/api/hosts/" + id)["host"]["gaps"] == 0);
        BOOST_TEST(get(port, "/api/hosts/" + id)["host"]["online"] == true);
    }
}

BOOST_AUTO_TEST_CASE(past_max_hosts_with_none_to_forget_new_ids_are_refused_with_4029) {
    TempDir data{"telehub-full"};
    const auto port = free_port();
    auto hub = hub_on(port, data, {"--max-hosts", "3"});
    FakeAgent a(port, "held-1"), b(port, "held-2"), c(port, "held-3");
    WsClient extra(port, "/ws/agent");
    BOOST_REQUIRE(extra.send_text(encode_hello(make_hello("one-too-many"))));
    std::vector<std::string> messages;
    auto code = extra.wait_close(5s, &messages);
    BOOST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 4029);
    BOOST_TEST(extra.close_reason().find("--max-hosts") != std::string::npos, extra.close_reason());
    BOOST_REQUIRE(!messages.empty());
    BOOST_TEST(messages.front().find("\"code\":\"host_limit\"") != std::string::npos, messages.front());
    BOOST_TEST(wait_until([&] { return hub->output().find("refused new host id 'one-too-many'") != std::string::npos; }, 10s),
               hub->output());
    BOOST_TEST(get(port, "/api/stats")["frames_refused_by_reason"]["host_limit"] == 1);
    BOOST_TEST(http_get(port, "/api/hosts/one-too-many").status == 404);
    // A host already held reconnects whatever the bound (the constructor checks the welcome).
    BOOST_REQUIRE(a.send(5));
    a.ws.close();
    FakeAgent again(port, "held-1");
    BOOST_TEST(again.welcome_last_seq == 1u);
}
