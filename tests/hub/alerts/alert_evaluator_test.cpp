#include "hub/alerts/alerts.hpp"

#define BOOST_TEST_MODULE alert_evaluator
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace telehub::hub;
using telehub::Sample;

namespace {

AlertRule cpu_rule(double threshold, double clear, double for_s) {
    AlertRule r;
    r.name = "cpu";
    r.metric = AlertMetric::cpu_total;
    r.threshold = threshold;
    r.clear = clear;
    r.for_seconds = for_s;
    return r;
}

AlertRule offline_rule(double for_s) {
    AlertRule r;
    r.name = "offline";
    r.metric = AlertMetric::offline;
    r.threshold = 1;
    r.clear = 1;
    r.for_seconds = for_s;
    return r;
}

Sample sample_at(std::int64_t second, double cpu, bool backfill = false) {
    Sample s;
    s.host_id = "h1";
    s.ts_ms = second * 1000;
    s.seq = static_cast<std::uint64_t>(second);
    s.backfill = backfill;
    s.cpu.total = cpu;
    telehub::TopProcess busy;
    busy.pid = 42;
    busy.name = "spin";
    busy.cpu = cpu;
    telehub::TopProcess idle;
    idle.pid = 7;
    idle.name = "sshd";
    idle.cpu = 0.5;
    s.top = {idle, busy};
    return s;
}

struct Run {
    AlertEvaluator eval;
    std::vector<AlertEvent> events;
    explicit Run(std::vector<AlertRule> rules) : eval(std::move(rules)) {}
    void feed(std::int64_t second, double cpu, bool backfill = false) {
        eval.on_sample("host-one", sample_at(second, cpu, backfill), events);
    }
    std::size_t count(AlertState to, bool resolved = false) const {
        std::size_t n = 0;
        for (const auto& e : events) n += e.to == to && e.resolved == resolved;
        return n;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(fires_only_after_for_and_names_the_culprit) {
    Run run({cpu_rule(90, 90, 3)});
    run.feed(0, 50);
    BOOST_TEST(run.events.empty());
    run.feed(1, 95);  // pending from 1 s
    BOOST_TEST(run.count(AlertState::pending) == 1u);
    run.feed(2, 96);
    run.feed(3, 97);
    BOOST_TEST(run.count(AlertState::firing) == 0u, "fired before `for` had passed");
    run.feed(4, 98);  // 3 s after it began
    BOOST_TEST_REQUIRE(run.count(AlertState::firing) == 1u);
    const AlertEvent& fired = run.events.back();
    BOOST_TEST(fired.since_ms == 1000);
    BOOST_TEST(fired.at_ms == 4000);
    BOOST_TEST(fired.value == 98);
    BOOST_TEST(fired.hostname == "host-one");
    BOOST_TEST(!fired.historical);
    BOOST_TEST_REQUIRE(!fired.culprit.top_cpu.empty());
    BOOST_TEST(fired.culprit.top_cpu.front().name == "spin");  // busiest first
    auto active = run.eval.active();
    BOOST_TEST_REQUIRE(active.size() == 1u);
    BOOST_TEST((active[0].state == AlertState::firing));
    BOOST_TEST(active[0].fired_ms == 4000);
    run.feed(5, 99);
    BOOST_TEST(run.count(AlertState::firing) == 1u, "fired twice for one episode");
}

BOOST_AUTO_TEST_CASE(a_dip_before_for_restarts_the_wait) {
    Run run({cpu_rule(90, 90, 3)});
    run.feed(1, 95);
    run.feed(2, 95);
    run.feed(3, 50);  // pending ends, nobody told
    BOOST_TEST(run.count(AlertState::inactive) == 1u);
    run.feed(4, 95);
    run.feed(6, 95);
    BOOST_TEST(run.count(AlertState::firing) == 0u);
    run.feed(7, 95);
    BOOST_TEST(run.count(AlertState::firing) == 1u);
}

BOOST_AUTO_TEST_CASE(hysteresis_keeps_a_hovering_value_from_flapping) {
    Run run({cpu_rule(90, 80, 0)});
    run.feed(1, 91);
    BOOST_TEST(run.count(AlertState::firing) == 1u);
    // hovering around the threshold: 89, 91, 88, 90 ... never below the clear value
    double hover[] = {89, 91, 88, 90, 85, 92, 81};
    std::int64_t t = 2;
    for (double v : hover) run.feed(t++, v);
    BOOST_TEST(run.count(AlertState::firing) == 1u);
    BOOST_TEST(run.count(AlertState::inactive, true) == 0u);
    run.feed(t++, 79);
    BOOST_TEST(run.count(AlertState::inactive, true) == 1u);
    BOOST_TEST(run.eval.active().empty());
    // without hysteresis the same values flap on every crossing
    Run flappy({cpu_rule(90, 90, 0)});
    flappy.feed(1, 91);
    t = 2;
    for (double v : hover) flappy.feed(t++, v);
    BOOST_TEST(flappy.count(AlertState::firing) > 2u);
}

BOOST_AUTO_TEST_CASE(backfilled_episodes_are_history_not_notifications) {
    Run run({cpu_rule(90, 90, 2)});
    for (int s = 1; s <= 5; ++s) run.feed(s, 95, true);
    for (int s = 6; s <= 7; ++s) run.feed(s, 10, true);
    BOOST_TEST(run.count(AlertState::firing) == 1u);
    BOOST_TEST(run.count(AlertState::inactive, true) == 1u);
    for (const auto& e : run.events) BOOST_TEST(e.historical, "a backfilled change not marked historical");
    run.feed(8, 95);  // live again
    BOOST_TEST(!run.events.back().historical);
}

// A backfilled episode that is still firing when live samples resume is news:
// one `late` firing at the first live sample, none after; one that ended in
// the backfill gives none.
BOOST_AUTO_TEST_CASE(a_backfilled_firing_still_firing_live_is_notified_late_once) {
    Run run({cpu_rule(90, 90, 2)});
    for (int s = 1; s <= 5; ++s) run.feed(s, 95, true);
    BOOST_TEST_REQUIRE(run.events.size() == 2u);  // pending, firing: both historical
    run.feed(6, 96);
    BOOST_TEST_REQUIRE(run.events.size() == 3u);
    const AlertEvent& late = run.events.back();
    BOOST_TEST(late.late);
    BOOST_TEST(!late.historical);
    BOOST_TEST((late.to == AlertState::firing));
    BOOST_TEST(late.at_ms == 3000);  // when it fired, in the backfill
    BOOST_TEST(late.culprit.top_cpu.front().name == "spin");
    run.feed(7, 97);
    BOOST_TEST(run.events.size() == 3u, "a second late firing");

    Run ended({cpu_rule(90, 90, 2)});
    for (int s = 1; s <= 5; ++s) ended.feed(s, 95, true);
    ended.feed(6, 10, true);
    ended.feed(7, 10);
    for (const auto& e : ended.events) BOOST_TEST(!e.late);
}

// What a restart keeps: pending and firing states of rules that did not
// change, with their times, so the next sample neither fires again nor
// restarts the `for` wait.
BOOST_AUTO_TEST_CASE(states_survive_a_save_and_restore) {
    Run before({cpu_rule(90, 90, 2), [] {
                    AlertRule r = cpu_rule(50, 50, 100);
                    r.name = "slow";
                    return r;
                }()});
    for (int s = 1; s <= 4; ++s) before.feed(s, 95);
    auto saved = before.eval.saved();
    BOOST_TEST_REQUIRE(saved.size() == 2u);

    AlertRule changed = cpu_rule(50, 50, 50);  // "slow" with another `for`: starts over
    changed.name = "slow";
    Run after({cpu_rule(90, 90, 2), changed});
    BOOST_TEST(after.eval.restore(saved) == 1u);
    auto active = after.eval.active();
    BOOST_TEST_REQUIRE(active.size() == 1u);
    BOOST_TEST((active[0].state == AlertState::firing));
    BOOST_TEST(active[0].since_ms == 1000);
    BOOST_TEST(active[0].fired_ms == 3000);
    after.feed(3, 10);  // older than the last sample before the restart: ignored
    BOOST_TEST(after.count(AlertState::inactive, true) == 0u);
    after.feed(5, 95);
    BOOST_TEST(after.count(AlertState::firing) == 0u, "fired again after a restart");
    after.feed(6, 10);
    BOOST_TEST(after.count(AlertState::inactive, true) == 1u);
}

BOOST_AUTO_TEST_CASE(older_samples_cannot_move_a_state_back) {
    Run run({cpu_rule(90, 90, 0)});
    run.feed(10, 95);
    run.feed(5, 10);  // arrived late
    BOOST_TEST(run.count(AlertState::inactive, true) == 0u);
    BOOST_TEST(run.eval.active().size() == 1u);
}

BOOST_AUTO_TEST_CASE(offline_for_its_time) {
    AlertEvaluator eval({offline_rule(30)});
    std::vector<AlertEvent> events;
    std::vector<OfflineHost> down = {{"h1", "one"}};
    eval.on_tick(0, down, events);
    eval.on_tick(29'000, down, events);
    BOOST_TEST(eval.active().size() == 1u);
    BOOST_TEST((eval.active()[0].state == AlertState::pending));
    eval.on_tick(30'000, down, events);
    auto active = eval.active();
    BOOST_TEST_REQUIRE(active.size() == 1u);
    BOOST_TEST(active[0].host_id == "h1");
    BOOST_TEST((active[0].state == AlertState::firing));
    // The terminal says what its 1-against-1 value means.
    const auto fired = alert_log_line(events.back());
    BOOST_TEST(fired.find("host 'h1' (one): offline for 30 s") != std::string::npos, fired);
    // Back online: no longer listed, and the tick still clears it.
    eval.on_tick(31'000, {}, events);
    BOOST_TEST(eval.active().empty());
    BOOST_TEST(events.back().resolved);
    BOOST_TEST(events.back().host_id == "h1");
    BOOST_TEST(alert_log_line(events.back()).ends_with(": back online"), alert_log_line(events.back()));
}

// A tick lists offline hosts only: a host back online is stepped while an
// offline state of its is pending or firing, then left alone; one forgotten
// meanwhile is not brought back.
BOOST_AUTO_TEST_CASE(a_tick_clears_hosts_back_online_and_skips_forgotten_ones) {
    AlertEvaluator eval({offline_rule(30)});
    std::vector<AlertEvent> events;
    std::vector<OfflineHost> both = {{"h1", "one"}, {"h2", "two"}}, only_h2 = {{"h2", "two"}};
    eval.on_tick(0, both, events);
    BOOST_TEST(eval.active().size() == 2u);
    eval.on_tick(1'000, only_h2, events);  // h1 back before its 30 s: pending, then cleared
    auto active = eval.active();
    BOOST_TEST_REQUIRE(active.size() == 1u);
    BOOST_TEST(active[0].host_id == "h2");
    eval.on_tick(30'000, only_h2, events);
    BOOST_TEST_REQUIRE(eval.active().size() == 1u);
    BOOST_TEST((eval.active()[0].state == AlertState::firing));
    const auto fired = events.size();
    eval.forget("h2");
    eval.on_tick(31'000, {}, events);
    BOOST_TEST(eval.active().empty());
    BOOST_TEST(events.size() == fired, "a forgotten host was stepped again");
    // h1 goes down again: its pending state starts over from this tick.
    eval.on_tick(40'000, {{{"h1", "one"}}}, events);
    eval.on_tick(69'000, {{{"h1", "one"}}}, events);
    BOOST_TEST_REQUIRE(eval.active().size() == 1u);
    BOOST_TEST((eval.active()[0].state == AlertState::pending));
}

// A restart restores a firing offline alert; by the first tick its host is
// back online (not listed), and that tick clears it.
BOOST_AUTO_TEST_CASE(a_restored_offline_alert_clears_once_its_host_is_back) {
    AlertEvaluator before({offline_rule(30)});
    std::vector<AlertEvent> events;
    before.on_tick(0, {{{"h1", "one"}}}, events);
    before.on_tick(30'000, {{{"h1", "one"}}}, events);
    const auto saved = before.saved();
    BOOST_TEST_REQUIRE(saved.size() == 1u);
    AlertEvaluator after({offline_rule(30)});
    BOOST_TEST(after.restore(saved) == 1u);
    BOOST_TEST_REQUIRE(after.active().size() == 1u);
    events.clear();
    after.on_tick(35'000, {}, events);
    BOOST_TEST(after.active().empty());
    BOOST_TEST_REQUIRE(events.size() == 1u);
    BOOST_TEST(events[0].resolved);
}

BOOST_AUTO_TEST_CASE(scope_and_rule_changes) {
    AlertRule web = cpu_rule(90, 90, 0);
    web.hosts = "web-*";
    AlertEvaluator eval({web});
    std::vector<AlertEvent> events;
    Sample s = sample_at(1, 95);
    eval.on_sample("db-1", s, events);
    BOOST_TEST(events.empty(), "a rule for web-* fired on db-1");
    s.host_id = "h2";
    eval.on_sample("web-2", s, events);  // matched by hostname
    BOOST_TEST(events.size() == 1u);
    // the same rule again keeps its state; a changed one starts over
    eval.set_rules({web});
    BOOST_TEST(eval.active().size() == 1u);
    AlertRule changed = web;
    changed.threshold = 99;
    eval.set_rules({changed});
    BOOST_TEST(eval.active().empty());
}

// saved() and active() skip hosts with no pending or firing alert by a count
// kept per host; every way a state changes must keep that count right.
BOOST_AUTO_TEST_CASE(saved_and_active_follow_every_change_of_state) {
    AlertRule slow = cpu_rule(50, 50, 100);
    slow.name = "slow";
    Run run({cpu_rule(90, 90, 0), slow});
    run.feed(1, 95);  // "cpu" fires, "slow" goes pending
    BOOST_TEST(run.eval.saved().size() == 2u);
    run.feed(2, 10);  // both end: resolved, and pending back to inactive
    BOOST_TEST(run.eval.saved().empty());
    BOOST_TEST(run.eval.active().empty());

    run.feed(3, 95);
    auto saved = run.eval.saved();
    BOOST_TEST_REQUIRE(saved.size() == 2u);
    // Restoring states the host already holds counts nothing twice.
    BOOST_TEST(run.eval.restore(saved) == 2u);
    run.feed(4, 10);
    BOOST_TEST(run.eval.saved().empty(), "an ended alert still saved after a restore over it");

    // A rules change keeps the unchanged rule's state and drops the other's.
    run.feed(5, 95);
    run.eval.set_rules({cpu_rule(90, 90, 0)});
    BOOST_TEST(run.eval.saved().size() == 1u);
    run.feed(6, 10);
    BOOST_TEST(run.eval.saved().empty());
    BOOST_TEST(run.eval.active().empty());

    // Restored into a fresh evaluator, then ended there.
    Run fresh({cpu_rule(90, 90, 0), slow});
    BOOST_TEST(fresh.eval.restore(saved) == 2u);
    BOOST_TEST(fresh.eval.active().size() == 2u);
    fresh.feed(7, 10);
    BOOST_TEST(fresh.eval.active().empty());
}

BOOST_AUTO_TEST_CASE(socket_rules_name_the_processes_by_their_count) {
    AlertRule cw;
    cw.name = "close-wait";
    cw.metric = AlertMetric::tcp_state;
    cw.tcp_state = telehub::tcp_close_wait;
    cw.threshold = 10;
    cw.clear = 10;
    AlertEvaluator eval({cw});
    Sample s = sample_at(1, 5);
    s.sockets.tcp[telehub::tcp_close_wait] = 12;
    telehub::ProcessSockets a, b;
    a.pid = 1;
    a.name = "few";
    a.tcp[telehub::tcp_close_wait] = 2;
    a.total = 50;
    b.pid = 2;
    b.name = "stuck";
    b.tcp[telehub::tcp_close_wait] = 10;
    b.total = 11;
    s.sockets.by_process = {a, b};
    std::vector<AlertEvent> events;
    eval.on_sample("h", s, events);
    BOOST_TEST_REQUIRE(events.size() == 1u);
    BOOST_TEST_REQUIRE(events[0].culprit.top_sockets.size() == 2u);
    BOOST_TEST(events[0].culprit.top_sockets[0].name == "stuck");
}

// A session's handle finds its host's states without the id; once a host is
// forgotten the handle is stale, and a sample through it still reaches the
// right host, never the forgotten one's memory or another host's states.
BOOST_AUTO_TEST_CASE(a_handle_finds_its_host_and_a_stale_one_its_host_again) {
    AlertEvaluator eval({cpu_rule(90, 90, 0)});
    std::vector<AlertEvent> events;
    AlertEvaluator::HostHandle h1;
    eval.on_sample("host-one", sample_at(1, 95), events, &h1);
    BOOST_REQUIRE(h1.host != nullptr);
    BOOST_TEST(eval.active().size() == 1u);
    auto other = sample_at(1, 10);
    other.host_id = "h2";
    eval.on_sample("host-two", other, events);
    eval.forget("h2");
    // Stale now: looked up again, and the states it reaches are h1's (firing: no new event).
    events.clear();
    eval.on_sample("host-one", sample_at(2, 96), events, &h1);
    BOOST_TEST(events.empty());
    BOOST_REQUIRE(eval.active().size() == 1u);
    BOOST_TEST(eval.active()[0].host_id == "h1");
    // h1 forgotten and back: its states start over, through the same handle.
    eval.forget("h1");
    eval.on_sample("host-one", sample_at(3, 97), events, &h1);
    BOOST_REQUIRE(!events.empty());
    BOOST_TEST(events.back().host_id == "h1");
    BOOST_TEST((events.back().to == AlertState::firing));
}
