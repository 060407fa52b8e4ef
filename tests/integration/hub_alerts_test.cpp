// Alerts end to end: a real hub with a rules file, a real agent on loopback
// and fixture-busy spinning a core. A rule on fixture-busy's CPU with
// `for = 3` goes pending, then fires no earlier than 3 s later naming the
// busy process as the culprit, and resolves when the loop stops; the
// terminal log has one line for each; an invalid PUT /api/rules is refused
// with 400 naming the field, and the rules in force stay.
#define BOOST_TEST_MODULE hub_alerts
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <optional>

#include "tests/integration/hub_harness.hpp"
#include "tests/support/temp_dir.hpp"

using namespace telehub::test;
using json = nlohmann::json;

namespace {

const std::string agent_binary = TELEHUB_BINARY_DIR "/agent/telehub-agent";
const std::string busy_binary = TELEHUB_BINARY_DIR "/tests/fixture-busy";
const std::string admin_token = "admin-token-for-alert-tests";
const std::string host_id = "alerts-it";

// A share of one core that fixture-busy gets even on a loaded two-core machine.
const char* rules_text = R"([[rule]]
name = "busy-loop"
hosts = "alerts-*"
metric = "process.cpu"
process = "fixture-busy"
threshold = 20
clear = 10
for = 3
severity = "critical"
)";

HttpResult call(const HubProcess& hub, const std::string& method, const std::string& target, std::string body = {}) {
    HttpOptions o;
    o.headers = {{"Authorization", "Bearer " + admin_token}};
    o.body = std::move(body);
    return http_request(hub.port, method, target, o);
}

std::optional<json> alert_of(const HubProcess& hub, const std::string& rule) {
    auto r = call(hub, "GET", "/api/alerts");
    auto j = json::parse(r.body, nullptr, false);
    if (r.status != 200 || !j.is_object()) return std::nullopt;
    for (auto& a : j["alerts"])
        if (a["rule"] == rule && a["host_id"] == host_id) return a;
    return std::nullopt;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_busy_loop_fires_and_resolves_a_rule) {
    TempDir dir("telehub-alerts");
    const std::string rules_path = dir.str() + "/rules.toml";
    std::ofstream(rules_path) << rules_text;
    HubProcess hub{{"--admin-token", admin_token, "--rules", rules_path, "--quiet"}};
    auto busy = std::make_unique<ChildProcess>(std::vector<std::string>{busy_binary});
    BOOST_REQUIRE(wait_until([&] { return busy->output().find("READY") != std::string::npos; }, 10s));
    ChildProcess agent({agent_binary, "--hub", "ws://127.0.0.1:" + std::to_string(hub.port) + "/ws/agent",
                        "--host-id", host_id, "--interval", "0.5"});

    bool saw_pending = false;
    std::optional<json> firing;
    BOOST_REQUIRE_MESSAGE(wait_until(
                              [&] {
                                  auto a = alert_of(hub, "busy-loop");
                                  if (a && (*a)["state"] == "pending") saw_pending = true;
                                  if (a && (*a)["state"] == "firing") firing = a;
                                  return firing.has_value();
                              },
                              20s, 100ms),
                          "the rule never fired; hub: " << hub.proc->output() << "\nagent: " << agent.output());
    BOOST_TEST(saw_pending, "fired without being seen pending first");
    const json& f = *firing;
    BOOST_TEST(f["severity"] == "critical");
    BOOST_TEST(f["fired_ms"].get<std::int64_t>() - f["since_ms"].get<std::int64_t>() >= 3000,
               "fired before `for` had passed: " << f.dump());
    BOOST_TEST(f["value"].get<double>() >= 20);
    bool named = false;
    for (const auto& p : f["culprit"]["top_cpu"])
        if (p["name"] == "fixture-busy" && p["pid"] == busy->pid()) named = true;
    BOOST_TEST(named, "fixture-busy is not among the culprits: " << f["culprit"].dump());

    busy.reset();  // the loop stops; its CPU drops under the clear value, then it is gone
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return !alert_of(hub, "busy-loop"); }, 15s, 100ms),
                          "the alert did not resolve");
    auto history = json::parse(call(hub, "GET", "/api/alerts/history?seconds=600").body, nullptr, false);
    BOOST_REQUIRE(history.is_object());
    int fired = 0, resolved = 0;
    for (const auto& c : history["changes"]) {
        if (c["rule"] != "busy-loop") continue;
        fired += c["change"] == "firing";
        resolved += c["change"] == "resolved";
    }
    BOOST_TEST(fired == 1);
    BOOST_TEST(resolved == 1);
    BOOST_REQUIRE(wait_until([&] { return hub.proc->output().find("alert resolved: busy-loop") != std::string::npos; }, 5s));
    BOOST_TEST(hub.proc->output().find("alert firing: busy-loop [critical] host 'alerts-it'") != std::string::npos,
               hub.proc->output());
}

BOOST_AUTO_TEST_CASE(rules_are_replaced_whole_or_not_at_all) {
    TempDir dir("telehub-alerts");
    const std::string rules_path = dir.str() + "/rules.toml";
    std::ofstream(rules_path) << rules_text;
    HubProcess hub{{"--admin-token", admin_token, "--rules", rules_path, "--quiet"}};

    auto before = call(hub, "GET", "/api/rules");
    BOOST_TEST_REQUIRE(before.status == 200);
    BOOST_TEST(before.body.find("busy-loop") != std::string::npos, before.body);
    BOOST_TEST(http_get(hub.port, "/api/rules").status == 401, "the rules were readable without the admin token");

    // The second rule is bad: nothing of the body may take effect.
    auto bad = call(hub, "PUT", "/api/rules",
                    "[[rule]]\nname = \"ok\"\nmetric = \"load1\"\nthreshold = 4\n\n"
                    "[[rule]]\nname = \"typo\"\nmetric = \"cpu.totl\"\nthreshold = 90\n");
    BOOST_TEST(bad.status == 400);
    auto err = json::parse(bad.body, nullptr, false);
    BOOST_TEST_REQUIRE(err.is_object(), bad.body);
    BOOST_TEST(err["error"]["field"] == "metric", bad.body);
    BOOST_TEST(err["error"]["message"].get<std::string>().find("request body:8:10") != std::string::npos, bad.body);
    // An empty body (a script's variable that came out empty) removes nothing.
    auto empty = call(hub, "PUT", "/api/rules", "\n");
    BOOST_TEST(empty.status == 400, empty.body);
    BOOST_TEST(empty.body.find("the body is empty") != std::string::npos, empty.body);
    auto after = call(hub, "GET", "/api/rules");
    BOOST_TEST(after.body == before.body, "the rules changed after a refused PUT");
    // Every rule is removed by a file that says so.
    auto none = call(hub, "PUT", "/api/rules", "# no rules while the fleet is rebuilt\n");
    BOOST_TEST(none.status == 200, none.body);
    BOOST_TEST(call(hub, "GET", "/api/rules").body.find("busy-loop") == std::string::npos);

    // A good one replaces them and is written back to the file.
    auto good = call(hub, "PUT", "/api/rules", "[[rule]]\nname = \"load\"\nmetric = \"load1\"\nthreshold = 4\n");
    BOOST_TEST_REQUIRE(good.status == 200, good.body);
    std::ifstream in(rules_path);
    std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(file.find("name = \"load\"") != std::string::npos, file);
    BOOST_TEST(file.find("busy-loop") == std::string::npos, file);
}
