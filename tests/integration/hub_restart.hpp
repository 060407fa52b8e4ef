// Issue 19's restart check with REAL agents: three telehub-agent processes
// stream to a hub with a data directory; the hub is stopped with `sig`, stays
// away for 20 s while the agents buffer, and starts again on the same port
// and data directory. Every host's history must then run from seq 1 without
// a hole or a repeat, the points from before the restart must be served as
// they were, and no sample may be replayed twice (the welcome's last_seq is
// what the store kept).
#pragma once

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <map>
#include <regex>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/net.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

namespace telehub::test {

using namespace std::chrono_literals;

struct Points {
    std::vector<std::uint64_t> seq;
    std::vector<std::int64_t> ts;
};

inline nlohmann::json restart_get(std::uint16_t port, const std::string& target) {
    auto r = http_get(port, target);
    if (r.status != 200) return nullptr;
    return nlohmann::json::parse(r.body, nullptr, false);
}

inline Points restart_points(std::uint16_t port, const std::string& id) {
    auto h = restart_get(port, "/api/hosts/" + id + "/history");
    if (!h.is_object() || !h["seq"].is_array()) return {};
    return {h["seq"].get<std::vector<std::uint64_t>>(), h["ts_ms"].get<std::vector<std::int64_t>>()};
}

inline std::unique_ptr<ChildProcess> restart_hub(std::uint16_t port, const TempDir& data) {
    auto hub = std::make_unique<ChildProcess>(std::vector<std::string>{
        TELEHUB_BINARY_DIR "/hub/telehub", "--listen", "127.0.0.1:" + std::to_string(port), "--threads", "2", "--quiet",
        "--data-dir", data.str()});
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return http_get(port, "/healthz").status == 200 || !hub->running(); }, 15s) &&
                              hub->running(),
                          "hub did not come up: " << hub->output());
    return hub;
}

inline void check_restart(int sig) {
    const std::vector<std::string> ids = {"restart-1", "restart-2", "restart-3"};
    TempDir data{"telehub-restart"};
    const auto port = free_port();
    auto hub = restart_hub(port, data);
    std::vector<std::unique_ptr<ChildProcess>> agents;
    for (const auto& id : ids)
        agents.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
            TELEHUB_BINARY_DIR "/agent/telehub-agent", "--hub", "ws://127.0.0.1:" + std::to_string(port) + "/ws/agent",
            // --buffer: the default 300 samples are 300 s at the default 1 s interval; 1500 keep that at 0.2 s.
            "--host-id", id, "--interval", "0.2", "--top", "3", "--buffer", "1500"}));
    // Until at least one batch per host is on disk (64 points), so a killed
    // hub has something to come back with.
    BOOST_REQUIRE_MESSAGE(wait_until([&] {
                              auto s = restart_get(port, "/api/stats");
                              return s.is_object() && s["store"].is_object() &&
                                     s["store"]["points_written"].get<std::uint64_t>() >= 64 * ids.size();
                          },
                                     40s, 200ms),
                          "no batch written; hub said: " << hub->output());
    std::map<std::string, Points> before;
    for (const auto& id : ids) before[id] = restart_points(port, id);

    BOOST_REQUIRE(hub->stop(sig, 10s).has_value());
    const auto old_output = hub->output();
    hub.reset();
    std::this_thread::sleep_for(20s);  // the scenario's pause, not a wait for a condition
    hub = restart_hub(port, data);
    // What came back from the store before any agent replayed.
    BOOST_TEST_MESSAGE("restart with signal " << sig << ": " << hub->output());

    for (const auto& id : ids) {
        const auto& pre = before[id];
        BOOST_REQUIRE(!pre.seq.empty());
        Points now;
        // Back, replayed, and 50 samples (10 s) past where the old hub stopped.
        const bool back = wait_until(
            [&] {
                now = restart_points(port, id);
                return now.seq.size() >= pre.seq.size() + 150;
            },
            60s, 200ms);
        BOOST_REQUIRE_MESSAGE(back, id << ": " << now.seq.size() << " points after the restart; hub said: "
                                       << hub->output());
        BOOST_TEST(now.seq.front() == 1u, id);
        for (std::size_t i = 1; i < now.seq.size(); ++i)
            BOOST_TEST_REQUIRE(now.seq[i] == now.seq[i - 1] + 1,
                               id << ": seq " << now.seq[i - 1] << " then " << now.seq[i] << " (a hole or a repeat)");
        // The hour from before is served as it was: the same seqs at the same times.
        for (std::size_t i = 0; i < pre.seq.size(); ++i) {
            BOOST_TEST_REQUIRE(now.seq[i] == pre.seq[i]);
            BOOST_TEST_REQUIRE(now.ts[i] == pre.ts[i], id << " seq " << pre.seq[i]);
        }
        auto host = restart_get(port, "/api/hosts/" + id);
        BOOST_TEST(host["host"]["gaps"] == 0, id);
        // The welcome carried the seq the store kept: all of it after SIGTERM,
        // at least one batch after SIGKILL. So the replay started right after it.
        std::smatch m;
        const auto out = hub->output();
        BOOST_REQUIRE_MESSAGE(std::regex_search(out, m, std::regex("agent connected: host '" + id + "'.* last_seq ([0-9]+)")),
                              out);
        const auto welcomed_at = std::stoull(m[1]);
        if (sig == SIGTERM) BOOST_TEST(welcomed_at >= pre.seq.back(), id);
        else BOOST_TEST(welcomed_at >= 64u, id);
    }
    auto stats = restart_get(port, "/api/stats");
    BOOST_TEST(stats["gaps"] == 0);
    // Exactly what was missing was replayed: nothing the hub already held came twice.
    BOOST_TEST(stats["duplicates"] == 0);
    BOOST_TEST(stats["store"]["restored_hosts"] == ids.size());
    BOOST_TEST_MESSAGE("old hub: " << old_output.substr(old_output.size() > 600 ? old_output.size() - 600 : 0));
}

}  // namespace telehub::test
