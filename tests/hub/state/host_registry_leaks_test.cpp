#include "hub/state/host_registry.hpp"

#define BOOST_TEST_MODULE host_registry_leaks
#include <boost/test/unit_test.hpp>

#include <memory>

#include "hub/log/terminal_log.hpp"

using namespace telehub;
using namespace telehub::hub;

namespace {

LeakSuspect suspect(int pid, std::string reason, std::uint32_t count = 20) {
    LeakSuspect l;
    l.pid = pid;
    l.name = "leaker" + std::to_string(pid);
    l.reason = std::move(reason);
    l.count = count;
    l.since_ms = 1'763'000'000'000;
    l.evidence = "sockets grew to " + std::to_string(count);
    return l;
}

struct Fixture {
    std::int64_t now = 1'763'800'000'000;
    HostRegistry reg{RegistryOptions{.history_points = 100}, [this] { return now; }};

    Fixture() {
        Hello h;
        h.protocol = 1;
        h.host_id = "a";
        h.interval_ms = 500;
        h.instance = 1;
        reg.on_hello(h, 1);
    }

    static Sample sample(std::uint64_t seq, std::vector<LeakSuspect> leaks = {}, bool backfill = false) {
        Sample s;
        s.host_id = "a";
        s.seq = seq;
        s.ts_ms = 1'763'000'000'000 + static_cast<std::int64_t>(seq) * 500;
        s.interval_ms = 500;
        s.backfill = backfill;
        s.leaks = std::move(leaks);
        return s;
    }

    SampleOutcome feed(const Sample& s) { return reg.on_sample(s, std::make_shared<const std::string>("{}"), 1); }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(suspects_appear_persist_and_clear_by_pid_and_reason, Fixture) {
    auto o = feed(sample(1, {suspect(10, "growth")}));
    BOOST_TEST(o.leaks.appeared.size() == 1u);
    BOOST_TEST(o.leaks.appeared[0].pid == 10);
    BOOST_TEST(o.leaks.cleared.empty());
    BOOST_TEST(reg.summaries({}).at(0).leaks == 1u);

    // Same (pid, reason) with a new count: no change; a second reason on the same pid is new.
    o = feed(sample(2, {suspect(10, "growth", 30), suspect(10, "close_wait")}));
    BOOST_TEST(o.leaks.appeared.size() == 1u);
    BOOST_TEST(o.leaks.appeared[0].reason == "close_wait");
    BOOST_TEST(o.leaks.cleared.empty());
    auto all = reg.leaks();
    BOOST_REQUIRE(all.size() == 2u);
    BOOST_TEST(all[0].host_id == "a");
    BOOST_TEST(all[0].online);
    BOOST_TEST(all[0].suspect.count == 30u);

    o = feed(sample(3, {suspect(10, "close_wait")}));
    BOOST_TEST(o.leaks.appeared.empty());
    BOOST_REQUIRE(o.leaks.cleared.size() == 1u);
    BOOST_TEST(o.leaks.cleared[0].reason == "growth");
    BOOST_TEST(o.leaks.cleared[0].count == 30u);  // as last seen

    o = feed(sample(4));
    BOOST_TEST(o.leaks.cleared.size() == 1u);
    BOOST_TEST(reg.leaks().empty());
    BOOST_TEST(reg.summaries({}).at(0).leaks == 0u);
}

BOOST_FIXTURE_TEST_CASE(an_older_backfilled_sample_does_not_override_newer_leak_state, Fixture) {
    feed(sample(1));
    feed(sample(5, {suspect(10, "growth")}));
    auto o = feed(sample(3, {}, true));  // fills a hole, but is older than seq 5
    BOOST_TEST(o.accepted);
    BOOST_TEST(o.leaks.empty());
    BOOST_TEST(reg.leaks().size() == 1u);
    o = feed(sample(4, {suspect(11, "close_wait")}, true));
    BOOST_TEST(o.leaks.empty());
    BOOST_REQUIRE(reg.leaks().size() == 1u);
    BOOST_TEST(reg.leaks()[0].suspect.pid == 10);
}

BOOST_FIXTURE_TEST_CASE(suspects_of_an_offline_host_are_listed_as_offline, Fixture) {
    feed(sample(1, {suspect(10, "growth")}));
    reg.on_disconnect("a", 1);
    auto all = reg.leaks();
    BOOST_REQUIRE(all.size() == 1u);
    BOOST_TEST(!all[0].online);
}

BOOST_FIXTURE_TEST_CASE(opens_per_second_uses_exact_counters_when_present, Fixture) {
    auto s = sample(1);
    s.sockets.churn.opened = 3;  // sampled: 3 per 0.5 s
    feed(s);
    BOOST_TEST(reg.summaries({}).at(0).opens_per_s == 6.0, boost::test_tools::tolerance(1e-9));
    s = sample(2);
    s.sockets.churn.exact = true;
    s.sockets.churn.tcp_active_opens = 8;
    s.sockets.churn.tcp_passive_opens = 2;
    s.sockets.churn.opened = 3;
    s.sockets.churn.closed = 1;
    feed(s);
    BOOST_TEST(reg.summaries({}).at(0).opens_per_s == 20.0, boost::test_tools::tolerance(1e-9));
    auto h = reg.history("a", 0);
    BOOST_REQUIRE(h.has_value());
    BOOST_TEST((h->columns.opens_exact == std::vector<std::uint32_t>{0, 10}));
    BOOST_TEST((h->columns.opened == std::vector<std::uint32_t>{3, 3}));
    BOOST_TEST((h->columns.closed == std::vector<std::uint32_t>{0, 1}));
}

BOOST_AUTO_TEST_CASE(leak_log_text_names_host_pid_name_reason_and_evidence) {
    auto l = suspect(77, "close_wait");
    auto up = TerminalLog::leak_text("web-1", l, true);
    auto down = TerminalLog::leak_text("web-1", l, false);
    for (const auto& t : {up, down}) {
        BOOST_TEST(t.find("'web-1'") != std::string::npos);
        BOOST_TEST(t.find("pid 77 (leaker77)") != std::string::npos);
        BOOST_TEST(t.find("close_wait") != std::string::npos);
        BOOST_TEST(t.find(l.evidence) != std::string::npos);
    }
    BOOST_TEST(up.find("leak suspect") == 0u);
    BOOST_TEST(down.find("leak cleared") == 0u);
}
