// Notifications end to end (issue #21, "Done when"): a real hub with a rules
// file, a real agent on loopback, fixture-busy spinning a core, and a webhook
// receiver run here (webhook_receiver.py, which checks the HMAC signature the
// way docs/alerts.md tells receivers to). One busy episode is exactly one
// signed firing naming the busy process, within `for` + 3 s of the rule
// going pending, and exactly one resolved; a silence keeps the next episode
// quiet (it is still in the history); with the receiver down for 10 s the
// next firing is retried and arrives once it is back; an invalid PUT of the
// rules is a 400 naming the field and leaves the rules and notifications in force.
// Across a restart with the same data directory: a notification still
// undelivered is sent, a firing alert stays firing (not sent again) and its
// resolution is sent, and silences stay.
#define BOOST_TEST_MODULE hub_notify
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "tests/integration/hub_harness.hpp"
#include "tests/support/temp_dir.hpp"

using namespace telehub::test;
using json = nlohmann::json;

namespace {

const std::string agent_binary = TELEHUB_BINARY_DIR "/agent/telehub-agent";
const std::string busy_binary = TELEHUB_BINARY_DIR "/tests/fixture-busy";
const std::string receiver_script = TELEHUB_SOURCE_DIR "/tests/integration/webhook_receiver.py";
const std::string admin_token = "admin-token-for-notify-tests";
const std::string secret = "webhook-shared-secret";
const std::string host_id = "notify-it";

// The busy loop's threshold is a share of one core it gets even beside
// fuzzers and sanitizer builds on a two-core machine (it measured 35 % there);
// an idle process is at 0, and a loop starved for a second stays over 1 %.
std::string rules_text(std::uint16_t receiver_port, const std::string& rule = {}) {
    return R"([[notification]]
name = "hook"
type = "webhook"
url = "http://127.0.0.1:)" +
           std::to_string(receiver_port) + R"(/telehub"
secret = ")" + secret + R"("
timeout = 2
retry_max_delay = 1

[[rule]]
name = "busy-loop"
hosts = "notify-*"
metric = "process.cpu"
process = "notify-busy"
threshold = 10
clear = 1
for = 3
severity = "critical"
notify = ["hook"]
group = 1
)" + rule;
}

HttpResult call(const HubProcess& hub, const std::string& method, const std::string& target, std::string body = {}) {
    HttpOptions o;
    o.headers = {{"Authorization", "Bearer " + admin_token}};
    o.body = std::move(body);
    return http_request(hub.port, method, target, o);
}

struct Receiver {
    std::uint16_t port;
    std::unique_ptr<ChildProcess> proc;
    std::vector<json> earlier;  // what it received before a restart

    explicit Receiver(std::uint16_t p) : port(p) { start(); }
    void start() {
        proc = std::make_unique<ChildProcess>(std::vector<std::string>{"/usr/bin/python3", receiver_script, std::to_string(port), secret});
        if (!wait_until([&] { return proc->output().find("READY") != std::string::npos; }, 10s))
            throw std::runtime_error("the webhook receiver did not start: " + proc->output());
    }
    void stop() {
        earlier = received();
        proc.reset();
    }
    std::vector<json> received() const {
        std::vector<json> out = earlier;
        if (!proc) return out;
        std::istringstream lines(proc->output());
        for (std::string line; std::getline(lines, line);)
            if (!line.empty() && line.front() == '{') out.push_back(json::parse(line));
        return out;
    }
    std::vector<json> with_status(const std::string& status) const {
        std::vector<json> out;
        for (auto& r : received())
            if (r["body"]["status"] == status) out.push_back(r);
        return out;
    }
};

int history_count(const HubProcess& hub, const std::string& change) {
    auto h = json::parse(call(hub, "GET", "/api/alerts/history?seconds=600").body, nullptr, false);
    int n = 0;
    if (h.is_object())
        for (const auto& c : h["changes"]) n += c["rule"] == "busy-loop" && c["change"] == change;
    return n;
}

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// fixture-busy started through a link named notify-busy: the process's name
// (comm) is the link's, so the rule sees this test's loop and no other test's.
std::unique_ptr<ChildProcess> start_busy(const std::string& link) {
    auto busy = std::make_unique<ChildProcess>(std::vector<std::string>{link});
    if (!wait_until([&] { return busy->output().find("READY") != std::string::npos; }, 10s))
        throw std::runtime_error("fixture-busy did not start");
    return busy;
}

}  // namespace

BOOST_AUTO_TEST_CASE(one_signed_notice_per_change_silences_and_a_receiver_that_comes_back) {
    Receiver receiver(free_port());
    TempDir dir("telehub-notify");
    const std::string rules_path = dir.str() + "/rules.toml";
    std::ofstream(rules_path) << rules_text(receiver.port);
    const std::string busy_link = dir.str() + "/notify-busy";
    std::filesystem::create_symlink(busy_binary, busy_link);
    HubProcess hub{{"--admin-token", admin_token, "--rules", rules_path, "--quiet"}};
    auto busy = start_busy(busy_link);
    ChildProcess agent({agent_binary, "--hub", "ws://127.0.0.1:" + std::to_string(hub.port) + "/ws/agent", "--host-id",
                        host_id, "--interval", "0.5"});
    const auto context = [&] { return "\nhub: " + hub.proc->output() + "\nagent: " + agent.output(); };

    // 1. One firing, signed, naming the busy process, within for + 3 s of the rule going pending.
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return !receiver.with_status("firing").empty(); }, 25s, 50ms),
                          "no firing notification" << context());
    const std::int64_t received_ms = wall_ms();
    const json firing = receiver.with_status("firing").front();
    BOOST_TEST(firing["verified"] == true, "the HMAC signature did not verify: " << firing.dump());
    BOOST_TEST(firing["path"] == "/telehub");
    const json& body = firing["body"];
    BOOST_TEST(body["rule"]["name"] == "busy-loop");
    BOOST_TEST(body["hosts"] == json({host_id}));
    const std::int64_t since = body["alerts"][0]["since_ms"];
    BOOST_TEST(received_ms - since <= 6000, "firing arrived " << received_ms - since << " ms after the rule went pending");
    BOOST_TEST(body["alerts"][0]["at_ms"].get<std::int64_t>() - since >= 3000, "fired before `for`: " << body.dump());
    bool named = false;
    for (const auto& p : body["alerts"][0]["culprit"]["top_cpu"])
        named = named || (p["name"] == "notify-busy" && p["pid"] == busy->pid() && !p["cmdline"].get<std::string>().empty());
    BOOST_TEST(named, "notify-busy is not among the culprits: " << body.dump());

    // 2. The loop stops: exactly one resolved, and still exactly one firing.
    busy.reset();
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return !receiver.with_status("resolved").empty(); }, 15s, 50ms),
                          "no resolved notification" << context());
    BOOST_TEST(receiver.with_status("resolved").front()["verified"] == true);
    BOOST_TEST(receiver.with_status("firing").size() == 1u);
    BOOST_TEST(receiver.with_status("resolved").size() == 1u);

    // 3. A silence: the next episode fires and resolves in the history, and notifies nobody.
    auto bad_silence = call(hub, "POST", "/api/silences", R"({"rule":"busy-*","until":"next week","comment":"x"})");
    BOOST_TEST(bad_silence.status == 400);
    BOOST_TEST(json::parse(bad_silence.body, nullptr, false)["error"]["field"] == "until", bad_silence.body);
    BOOST_TEST(http_request(hub.port, "POST", "/api/silences", HttpOptions{}).status == 401, "a silence without a token");
    auto made = call(hub, "POST", "/api/silences",
                     R"({"rule":"busy-*","host":"notify-*","until":)" + std::to_string(wall_ms() / 1000 + 600) +
                         R"(,"comment":"planned load test"})");
    BOOST_TEST_REQUIRE(made.status == 201, made.body);
    const auto silence = json::parse(made.body);
    BOOST_TEST(silence["created_by"] == "admin");
    busy = start_busy(busy_link);
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return history_count(hub, "firing") == 2; }, 30s, 100ms),
                          "the silenced episode did not fire" << context());
    BOOST_REQUIRE(wait_until(
        [&] { return json::parse(call(hub, "GET", "/api/notifications").body, nullptr, false).value("silenced", 0) >= 1; },
        5s, 50ms));
    busy.reset();
    BOOST_REQUIRE(wait_until([&] { return history_count(hub, "resolved") == 2; }, 15s, 100ms));
    BOOST_TEST(call(hub, "DELETE", "/api/silences/" + std::to_string(silence["id"].get<int>())).status == 200);

    // 4. The receiver is down for 10 s: the firing is retried and arrives once it is back.
    receiver.stop();
    busy = start_busy(busy_link);
    const auto down_since = std::chrono::steady_clock::now();
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return history_count(hub, "firing") == 3; }, 30s, 100ms),
                          "the third episode did not fire" << context());
    BOOST_REQUIRE_MESSAGE(wait_until(
                              [&] {
                                  auto n = json::parse(call(hub, "GET", "/api/notifications").body, nullptr, false);
                                  return n.is_object() && !n["deliveries"].empty() && n["deliveries"][0]["status"] == "retrying";
                              },
                              10s, 100ms),
                          "no retry while the receiver was down: " << call(hub, "GET", "/api/notifications").body);
    std::this_thread::sleep_until(down_since + 10s);  // the outage the issue asks for; nothing is awaited here
    receiver.start();
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return receiver.with_status("firing").size() == 2u; }, 10s, 50ms),
                          "the retried firing never arrived" << context());
    BOOST_TEST(receiver.with_status("firing").back()["verified"] == true);
    // The retried firing as the API shows it: sent, after more than one attempt.
    auto deliveries = json::parse(call(hub, "GET", "/api/notifications").body);
    std::optional<json> retried;
    for (const auto& d : deliveries["deliveries"])
        if (d["status"] == "sent" && d["summary"].get<std::string>().starts_with("firing:") && d["attempts"].get<int>() > 1)
            retried = d;
    BOOST_TEST(retried.has_value(), deliveries.dump());
    BOOST_TEST(deliveries["failed"] == 0);

    // 5. An invalid PUT: 400 naming the field; the rules and the notification stay.
    const auto before = call(hub, "GET", "/api/rules");
    auto bad = call(hub, "PUT", "/api/rules", "[[rule]]\nname = \"x\"\nmetric = \"load1\"\nthreshold = 4\nnotify = [\"pager\"]\n");
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(json::parse(bad.body, nullptr, false)["error"]["field"] == "notify", bad.body);
    BOOST_TEST(call(hub, "GET", "/api/rules").body == before.body);
    BOOST_TEST(before.body.find("[[notification]]") != std::string::npos, before.body);

    busy.reset();
    BOOST_REQUIRE(wait_until([&] { return receiver.with_status("resolved").size() == 2u; }, 15s, 50ms));
    BOOST_TEST(receiver.with_status("firing").size() == 2u, "one notice per change");
    BOOST_TEST(hub.proc->output().find("notification sent: firing: busy-loop [critical] on notify-it to 'hook'") !=
               std::string::npos);
}

namespace {

// The hub on `port` with `data` as its data directory, so a second start finds what the first kept.
std::unique_ptr<ChildProcess> start_hub(std::uint16_t port, const TempDir& data, const std::string& rules_path) {
    auto hub = std::make_unique<ChildProcess>(std::vector<std::string>{
        hub_binary, "--listen", "127.0.0.1:" + std::to_string(port), "--threads", "2", "--quiet", "--data-dir", data.str(),
        "--admin-token", admin_token, "--rules", rules_path});
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return http_get(port, "/healthz").status == 200 || !hub->running(); }, 15s) &&
                              hub->running(),
                          "hub did not come up: " << hub->output());
    return hub;
}

HttpResult admin_call(std::uint16_t port, const std::string& method, const std::string& target, std::string body = {}) {
    HttpOptions o;
    o.headers = {{"Authorization", "Bearer " + admin_token}};
    o.body = std::move(body);
    return http_request(port, method, target, o);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_restart_with_a_data_dir_keeps_states_silences_and_undelivered_notifications) {
    const std::uint16_t receiver_port = free_port();
    TempDir dir("telehub-notify");
    TempDir data("telehub-notify-data");
    const std::string rules_path = dir.str() + "/rules.toml";
    std::ofstream(rules_path) << rules_text(receiver_port, R"(
[[rule]]
name = "fake-cpu"
hosts = "fake-*"
metric = "cpu.total"
threshold = 90
clear = 80
notify = ["hook"]
group = 0
)");
    const std::uint16_t port = free_port();
    auto hub = start_hub(port, data, rules_path);
    auto made = admin_call(port, "POST", "/api/silences",
                           R"({"host":"elsewhere-*","until":)" + std::to_string(wall_ms() / 1000 + 600) + R"(,"comment":"kept"})");
    BOOST_TEST_REQUIRE(made.status == 201, made.body);
    {
        // The receiver is not there yet: the firing waits in the outbox.
        FakeAgent agent(port, "fake-1");
        BOOST_REQUIRE(agent.send(95));
        BOOST_REQUIRE_MESSAGE(wait_until(
                                  [&] {
                                      auto n = json::parse(admin_call(port, "GET", "/api/notifications").body, nullptr, false);
                                      return n.is_object() && !n["deliveries"].empty() && n["deliveries"][0]["status"] == "retrying";
                                  },
                                  10s, 50ms),
                              "no retrying delivery: " << hub->output());
    }
    BOOST_REQUIRE(hub->stop(SIGTERM, 10s).has_value());
    BOOST_TEST(hub->output().find("telehub stopped") != std::string::npos, hub->output());

    Receiver receiver(receiver_port);
    hub = start_hub(port, data, rules_path);
    // Kept: the alert, still firing before any sample; the silence; the notice, delivered now.
    auto alerts = json::parse(admin_call(port, "GET", "/api/alerts").body, nullptr, false);
    BOOST_TEST_REQUIRE(alerts["alerts"].size() == 1u, alerts.dump());
    BOOST_TEST(alerts["alerts"][0]["state"] == "firing");
    auto silences = json::parse(admin_call(port, "GET", "/api/silences").body, nullptr, false);
    BOOST_TEST_REQUIRE(silences["silences"].size() == 1u, silences.dump());
    BOOST_TEST(silences["silences"][0]["comment"] == "kept");
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return receiver.with_status("firing").size() == 1u; }, 10s, 50ms),
                          "the undelivered firing was not sent after the restart: " << hub->output());
    BOOST_TEST(receiver.with_status("firing")[0]["body"]["hosts"] == json({"fake-1"}));

    FakeAgent agent(port, "fake-1");
    BOOST_REQUIRE(agent.send(96));  // still firing: not news
    BOOST_REQUIRE(agent.send(10));  // resolved: the receiver was told it fired, so it is told this
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return receiver.with_status("resolved").size() == 1u; }, 10s, 50ms),
                          "no resolved after the restart: " << hub->output());
    BOOST_TEST(receiver.with_status("firing").size() == 1u, "the restored alert was sent again");
}
