// The hub with REAL agents (not fakes): both appear, history grows, a killed
// agent's host goes offline within 3 intervals, and a hub restart loses no
// sample thanks to the agent's backfill.
#define BOOST_TEST_MODULE hub_agents
#include <boost/test/unit_test.hpp>

#include <csignal>
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

using namespace telehub::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string hub_binary = TELEHUB_BINARY_DIR "/hub/telehub";
const std::string agent_binary = TELEHUB_BINARY_DIR "/agent/telehub-agent";
constexpr double interval_s = 0.2;
constexpr auto interval = 200ms;

// One data directory for every hub of this test program, so a restarted hub finds its history.
const TempDir data_dir{"telehub-hub-agents"};

std::unique_ptr<ChildProcess> start_hub(std::uint16_t port) {
    auto hub = std::make_unique<ChildProcess>(std::vector<std::string>{
        hub_binary, "--listen", "127.0.0.1:" + std::to_string(port), "--threads", "2", "--data-dir", data_dir.str()});
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return http_get(port, "/healthz").status == 200; }, 10s),
                          "hub did not come up: " << hub->output());
    return hub;
}

std::unique_ptr<ChildProcess> start_agent(std::uint16_t port, const std::string& host_id) {
    return std::make_unique<ChildProcess>(std::vector<std::string>{
        agent_binary, "--hub", "ws://127.0.0.1:" + std::to_string(port) + "/ws/agent", "--host-id", host_id,
        "--interval", std::to_string(interval_s), "--top", "3"});
}

json get_json(std::uint16_t port, const std::string& target) {
    auto r = http_get(port, target);
    if (r.status != 200) return nullptr;
    return json::parse(r.body, nullptr, false);
}

json host_summary(std::uint16_t port, const std::string& id) {
    auto hosts = get_json(port, "/api/hosts");
    if (!hosts.is_object()) return nullptr;
    for (auto& h : hosts["hosts"])
        if (h["host_id"] == id) return h;
    return nullptr;
}

std::vector<std::uint64_t> history_seqs(std::uint16_t port, const std::string& id) {
    auto h = get_json(port, "/api/hosts/" + id + "/history");
    if (!h.is_object() || !h["seq"].is_array()) return {};
    return h["seq"].get<std::vector<std::uint64_t>>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(two_agents_appear_history_grows_and_a_killed_one_goes_offline) {
    auto port = free_port();
    auto hub = start_hub(port);
    auto a = start_agent(port, "real-a");
    auto b = start_agent(port, "real-b");

    BOOST_REQUIRE_MESSAGE(wait_until([&] { return !host_summary(port, "real-a").is_null() &&
                                                  !host_summary(port, "real-b").is_null(); },
                                     3s),
                          "both hosts in /api/hosts within 3 s; agent a said: " << a->output());
    auto first = history_seqs(port, "real-a").size();
    BOOST_TEST(wait_until([&] { return history_seqs(port, "real-a").size() >= first + 3; }, 5s));

    auto sample = get_json(port, "/api/hosts/real-b");
    BOOST_REQUIRE(sample.is_object());
    BOOST_TEST(sample["sample"]["cpu"]["per_core"].size() >= 1u);
    BOOST_TEST(sample["sample"]["procs"]["total"].get<int>() > 0);

    BOOST_REQUIRE(b->stop(SIGKILL).has_value());
    auto killed = std::chrono::steady_clock::now();
    BOOST_REQUIRE(wait_until([&] { return host_summary(port, "real-b")["online"] == false; }, 5s));
    auto took = std::chrono::steady_clock::now() - killed;
    // Three intervals, plus the one the last sample may have just started, plus polling.
    BOOST_TEST(took <= 4 * interval + 300ms, "offline after "
                                                 << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                                                 << " ms");
    BOOST_TEST(host_summary(port, "real-a")["online"] == true);
}

BOOST_AUTO_TEST_CASE(hub_restart_mid_stream_loses_no_sample) {
    auto port = free_port();
    auto hub = start_hub(port);
    auto agent = start_agent(port, "restart-a");
    BOOST_REQUIRE(wait_until([&] { return history_seqs(port, "restart-a").size() >= 5; }, 5s));

    BOOST_REQUIRE(hub->stop(SIGKILL).has_value());
    hub.reset();
    // The agent keeps sampling into its buffer while the hub is away (~2 s = 10 samples).
    std::this_thread::sleep_for(2s);
    hub = start_hub(port);

    std::vector<std::uint64_t> seqs;
    BOOST_REQUIRE_MESSAGE(wait_until([&] {
                              seqs = history_seqs(port, "restart-a");
                              return seqs.size() >= 25;
                          },
                                     15s),
                          "history after the restart has " << seqs.size() << " points; agent said: "
                                                           << agent->output());
    // After backfill the new hub holds every sample since the agent started, in order.
    BOOST_TEST(seqs.front() == 1u);
    for (std::size_t i = 1; i < seqs.size(); ++i)
        BOOST_TEST_REQUIRE(seqs[i] == seqs[i - 1] + 1, "gap between " << seqs[i - 1] << " and " << seqs[i]);
    BOOST_TEST(host_summary(port, "restart-a")["gaps"] == 0);
}

BOOST_AUTO_TEST_CASE(terminal_log_has_one_line_per_sample_with_hot_hosts_marked) {
    auto port = free_port();
    // Every host is hot at a 0 % threshold, so every line must carry the mark.
    TempDir own_data{"telehub-hub-agents-hot"};
    ChildProcess hub({hub_binary, "--listen", "127.0.0.1:" + std::to_string(port), "--threads", "2", "--high-cpu", "0",
                      "--data-dir", own_data.str()});
    BOOST_REQUIRE(wait_until([&] { return http_get(port, "/healthz").status == 200; }, 10s));
    auto agent = start_agent(port, "logged-a");
    BOOST_REQUIRE(wait_until([&] { return history_seqs(port, "logged-a").size() >= 5; }, 5s));
    BOOST_REQUIRE(agent->stop(SIGTERM).has_value());
    auto held = history_seqs(port, "logged-a").size();

    std::size_t lines = 0, hot = 0;
    // The log thread may still be writing the last lines: wait for them.
    wait_until([&] {
        lines = hot = 0;
        std::string out = hub.output();
        for (std::size_t pos = 0, end; pos < out.size(); pos = end + 1) {
            end = out.find('\n', pos);
            if (end == std::string::npos) end = out.size();
            auto line = out.substr(pos, end - pos);
            if (line.find("logged-a") == std::string::npos || line.find('%') == std::string::npos) continue;
            ++lines;
            if (line.find("HOT") != std::string::npos) ++hot;
        }
        return lines >= held;
    }, 3s);
    BOOST_TEST(lines == held, "log lines for the host: " << lines << ", samples held: " << held);
    BOOST_TEST(hot == lines);
}
