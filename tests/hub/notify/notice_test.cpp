// Grouping of changes into notices, and the bodies they go out as
// (docs/alerts.md, "Notification bodies").
#include "hub/notify/notify.hpp"

#define BOOST_TEST_MODULE notice
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

using namespace telehub::hub;
using json = nlohmann::json;

namespace {

AlertEvent change(const std::string& rule, const std::string& host, bool resolved, std::int64_t at_ms) {
    AlertEvent e;
    e.rule = rule;
    e.severity = AlertSeverity::critical;
    e.host_id = host;
    e.hostname = host + ".example";
    e.to = resolved ? AlertState::inactive : AlertState::firing;
    e.resolved = resolved;
    e.value = resolved ? 3 : 97.5;
    e.threshold = resolved ? 10 : 20;
    e.since_ms = at_ms - 3000;
    e.at_ms = at_ms;
    if (!resolved) {
        telehub::TopProcess p;
        p.pid = 4121;
        p.name = "fixture-busy";
        p.user = "build";
        p.cpu = 99.5;
        p.cmdline = "/usr/bin/fixture-busy --spin";
        p.container = "ci-runner";
        e.culprit.top_cpu = {p};
        telehub::LeakSuspect l;
        l.pid = 4121;
        l.name = "fixture-busy";
        l.reason = "growth";
        l.count = 900;
        l.evidence = "900 sockets, +600 in 60 s";
        e.culprit.leaks = {l};
    }
    return e;
}

AlertRule busy_rule() {
    AlertRule r;
    r.name = "busy-loop";
    r.metric = AlertMetric::process_cpu;
    r.process = "fixture-busy";
    r.threshold = 20;
    r.clear = 10;
    r.for_seconds = 3;
    r.severity = AlertSeverity::critical;
    return r;
}

std::vector<std::string> hosts_of(const Notice& n) {
    std::vector<std::string> out;
    for (const auto& e : n.alerts) out.push_back(e.host_id);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(hosts_firing_a_rule_within_its_window_are_one_notice) {
    NoticeGrouper g;
    g.add(change("busy-loop", "web-1", false, 0), 2000, 10'000);
    g.add(change("busy-loop", "web-2", false, 0), 2000, 10'500);
    g.add(change("other", "web-1", false, 0), 2000, 10'600);            // another rule: its own notice
    g.add(change("busy-loop", "web-3", true, 0), 2000, 10'700);          // a resolution: its own notice
    g.add(change("busy-loop", "web-4", false, 0), 2000, 11'999);
    BOOST_TEST(g.take_due(11'999).empty(), "a notice went out before its window closed");
    BOOST_TEST(g.next_due_ms().value_or(0) == 12'000);
    auto due = g.take_due(12'000);
    BOOST_TEST_REQUIRE(due.size() == 1u);
    BOOST_TEST(due[0].rule == "busy-loop");
    BOOST_TEST(!due[0].resolved);
    BOOST_TEST(hosts_of(due[0]) == (std::vector<std::string>{"web-1", "web-2", "web-4"}), "hosts");
    // A change after the window opens a new notice.
    g.add(change("busy-loop", "web-5", false, 0), 2000, 12'100);
    due = g.take_due(12'700);
    BOOST_TEST_REQUIRE(due.size() == 2u);
    BOOST_TEST(due[0].rule == "other");
    BOOST_TEST(due[1].resolved);
    due = g.take_due(14'100);
    BOOST_TEST_REQUIRE(due.size() == 1u);
    BOOST_TEST(hosts_of(due[0]) == (std::vector<std::string>{"web-5"}));
    BOOST_TEST(g.empty());
}

BOOST_AUTO_TEST_CASE(a_window_of_zero_sends_each_change_at_once) {
    NoticeGrouper g;
    g.add(change("r", "a", false, 0), 0, 500);
    g.add(change("r", "b", false, 0), 0, 500);
    auto due = g.take_due(500);
    BOOST_TEST(due.size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_webhook_body_names_the_rule_hosts_and_culprit) {
    Notice n;
    n.rule = "busy-loop";
    n.alerts = {change("busy-loop", "web-1", false, 5000), change("busy-loop", "web-2", false, 5100)};
    json j = json::parse(notice_json(n, busy_rule(), "hub-1"));
    BOOST_TEST(j["version"] == 1);
    BOOST_TEST(j["hub"] == "hub-1");
    BOOST_TEST(j["status"] == "firing");
    BOOST_TEST(j["rule"]["name"] == "busy-loop");
    BOOST_TEST(j["rule"]["severity"] == "critical");
    BOOST_TEST(j["rule"]["metric"] == "process.cpu");
    BOOST_TEST(j["rule"]["process"] == "fixture-busy");
    BOOST_TEST(j["rule"]["op"] == ">=");
    BOOST_TEST(j["rule"]["threshold"] == 20);
    BOOST_TEST(j["rule"]["clear"] == 10);
    BOOST_TEST(j["rule"]["for"] == 3);
    BOOST_TEST(j["hosts"] == json({"web-1", "web-2"}));
    BOOST_TEST(j["summary"] == "firing: busy-loop [critical] on web-1, web-2");
    BOOST_TEST_REQUIRE(j["alerts"].size() == 2u);
    const json& a = j["alerts"][0];
    BOOST_TEST(a["host_id"] == "web-1");
    BOOST_TEST(a["hostname"] == "web-1.example");
    BOOST_TEST(a["value"] == 97.5);
    BOOST_TEST(a["threshold"] == 20);
    BOOST_TEST(a["since_ms"] == 2000);
    BOOST_TEST(a["at_ms"] == 5000);
    BOOST_TEST(a["container"] == "ci-runner");
    const json& top = a["culprit"]["top_cpu"][0];
    BOOST_TEST(top["name"] == "fixture-busy");
    BOOST_TEST(top["pid"] == 4121);
    BOOST_TEST(top["user"] == "build");
    BOOST_TEST(top["cpu"] == 99.5);
    BOOST_TEST(top["cmdline"] == "/usr/bin/fixture-busy --spin");
    BOOST_TEST(a["culprit"]["leaks"][0]["evidence"] == "900 sockets, +600 in 60 s");
    BOOST_TEST(a["culprit"]["top_sockets"].is_array());

    Notice r;
    r.rule = "busy-loop";
    r.resolved = true;
    r.alerts = {change("busy-loop", "web-1", true, 9000)};
    json k = json::parse(notice_json(r, busy_rule(), "hub-1"));
    BOOST_TEST(k["status"] == "resolved");
    BOOST_TEST(k["alerts"][0]["value"] == 3);
    BOOST_TEST(k["alerts"][0]["threshold"] == 10);
    BOOST_TEST(!k["alerts"][0].contains("culprit"));
}

BOOST_AUTO_TEST_CASE(the_summary_line_names_ten_hosts_and_counts_the_rest) {
    Notice n;
    n.rule = "busy-loop";
    for (int i = 0; i < 12; ++i) n.alerts.push_back(change("busy-loop", "h" + std::to_string(i), false, 5000));
    BOOST_TEST(notice_line(n, busy_rule()) == "firing: busy-loop [critical] on h0, h1, h2, h3, h4, h5, h6, h7, h8, h9 and 2 more");
    BOOST_TEST(json::parse(notice_json(n, busy_rule(), "hub"))["hosts"].size() == 12u);
}

BOOST_AUTO_TEST_CASE(the_slack_body_is_one_text_naming_hosts_and_the_busiest_process) {
    Notice n;
    n.rule = "busy-loop";
    n.alerts = {change("busy-loop", "web-1", false, 5000), change("busy-loop", "web-2", false, 5100)};
    json j = json::parse(notice_slack(n, busy_rule(), "hub-1"));
    BOOST_TEST_REQUIRE(j["text"].is_string());
    const std::string text = j["text"];
    BOOST_TEST(text.find("*FIRING* `busy-loop` [critical] on 2 hosts") != std::string::npos, text);
    BOOST_TEST(text.find("web-1 (web-1.example): 97.5; busiest `fixture-busy` (pid 4121, 99.5% CPU, user build, container ci-runner)") !=
                   std::string::npos,
               text);
    BOOST_TEST(text.find("web-2") != std::string::npos, text);
    BOOST_TEST(j.size() == 1u);
}
