// An alert's culprit: the top processes by CPU and, for socket rules, by the
// rule's socket count; a process rule's own process leads both lists even
// when five busier processes would crowd it out.
#include "hub/alerts/alerts.hpp"

#define BOOST_TEST_MODULE alert_culprit
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace telehub;
using namespace telehub::hub;

namespace {

// Six compilers busier than the watched process, which also holds the fewest sockets.
Sample busy_build(double watched_cpu) {
    Sample s;
    s.host_id = "h1";
    s.ts_ms = 1000;
    for (int i = 0; i < 6; ++i) {
        TopProcess p;
        p.pid = 100 + i;
        p.name = "cc1plus";
        p.cpu = 90 - i;
        s.top.push_back(p);
        ProcessSockets ps;
        ps.pid = p.pid;
        ps.name = p.name;
        ps.tcp[tcp_established] = ps.total = 50 + i;
        s.sockets.by_process.push_back(ps);
    }
    TopProcess w;
    w.pid = 7;
    w.name = "watched";
    w.cpu = watched_cpu;
    s.top.push_back(w);
    ProcessSockets ws;
    ws.pid = 7;
    ws.name = "watched";
    ws.tcp[tcp_established] = ws.total = 30;
    s.sockets.by_process.push_back(ws);
    return s;
}

AlertRule rule(AlertMetric metric, std::string process, double threshold) {
    AlertRule r;
    r.name = "r";
    r.metric = metric;
    r.process = std::move(process);
    r.threshold = r.clear = threshold;
    return r;
}

AlertCulprit fired(const AlertRule& r, const Sample& s) {
    AlertEvaluator eval({r});
    std::vector<AlertEvent> events;
    eval.on_sample("host", s, events);
    BOOST_TEST_REQUIRE(events.size() == 1u);
    BOOST_TEST_REQUIRE((events[0].to == AlertState::firing));
    return events[0].culprit;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_process_cpu_rule_leads_with_its_process) {
    auto c = fired(rule(AlertMetric::process_cpu, "watched", 10), busy_build(20));
    BOOST_TEST_REQUIRE(c.top_cpu.size() == 5u);
    BOOST_TEST(c.top_cpu[0].name == "watched");
    BOOST_TEST(c.top_cpu[1].cpu == 90.0);  // then the busiest of the rest
    BOOST_TEST(c.top_cpu[4].cpu == 87.0);
    BOOST_TEST(c.top_sockets.empty());  // not a socket rule
}

BOOST_AUTO_TEST_CASE(a_process_sockets_rule_leads_with_its_process) {
    auto c = fired(rule(AlertMetric::process_sockets, "watched", 20), busy_build(20));
    BOOST_TEST_REQUIRE(c.top_sockets.size() == 5u);
    BOOST_TEST(c.top_sockets[0].name == "watched");
    BOOST_TEST(c.top_sockets[1].total == 55u);
    BOOST_TEST(c.top_cpu[0].name == "watched");
}

BOOST_AUTO_TEST_CASE(a_host_rule_lists_the_busiest_only) {
    AlertRule r = rule(AlertMetric::cpu_total, "", 50);
    Sample s = busy_build(20);
    s.cpu.total = 99;
    auto c = fired(r, s);
    BOOST_TEST_REQUIRE(c.top_cpu.size() == 5u);
    for (const auto& p : c.top_cpu) BOOST_TEST(p.name == "cc1plus");
}
