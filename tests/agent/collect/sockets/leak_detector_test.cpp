#include "agent/collect/sockets/leak_detector.hpp"

#define BOOST_TEST_MODULE leak_detector
#include <boost/test/unit_test.hpp>

using namespace telehub::agent;

namespace {

const std::string leaky = "leaky";

ProcessSocketObservation obs(int pid, std::uint32_t sockets, std::uint32_t stuck = 0, std::int64_t oldest = 0) {
    return {pid, 100, &leaky, sockets, stuck, oldest};
}

}  // namespace

BOOST_AUTO_TEST_CASE(steady_growth_over_the_window_is_a_suspect) {
    LeakDetector d({60'000, 20, 60'000});
    for (int s = 0; s <= 60; ++s) {
        d.observe(s * 1000, {obs(7, 10 + static_cast<std::uint32_t>(s))});
        if (s < 60) BOOST_TEST_REQUIRE(d.suspects().empty(), "suspected before a full window, at " << s);
    }
    BOOST_REQUIRE(d.suspects().size() == 1u);
    const auto& s = d.suspects()[0];
    BOOST_TEST(s.pid == 7);
    BOOST_TEST(s.reason == "growth");
    BOOST_TEST(s.count == 70u);
    BOOST_TEST(s.since_ms == 60'000);
    BOOST_TEST(s.evidence.find("from 10 to 70") != std::string::npos, s.evidence);
}

BOOST_AUTO_TEST_CASE(growth_below_the_minimum_or_in_few_intervals_is_not) {
    LeakDetector small({60'000, 20, 60'000});
    for (int s = 0; s <= 70; ++s) small.observe(s * 1000, {obs(7, 10 + static_cast<std::uint32_t>(s / 4))});  // +17
    BOOST_TEST(small.suspects().empty());

    LeakDetector bursty({60'000, 20, 60'000});
    // One jump of 50 then flat: rising in 1 of 60 intervals.
    for (int s = 0; s <= 70; ++s) bursty.observe(s * 1000, {obs(7, s < 30 ? 10u : 60u)});
    BOOST_TEST(bursty.suspects().empty());

    LeakDetector churn({60'000, 20, 60'000});
    // Opens and closes at the same rate: the count oscillates.
    for (int s = 0; s <= 70; ++s) churn.observe(s * 1000, {obs(7, s % 2 ? 40u : 10u)});
    BOOST_TEST(churn.suspects().empty());
}

BOOST_AUTO_TEST_CASE(a_suspect_clears_when_growth_stops) {
    LeakDetector d({10'000, 5, 60'000});
    std::uint32_t n = 0;
    int t = 0;
    for (; t <= 12; ++t) d.observe(t * 1000, {obs(7, n += 2)});
    BOOST_TEST(d.suspects().size() == 1u);
    for (; t <= 30; ++t) d.observe(t * 1000, {obs(7, n)});
    BOOST_TEST(d.suspects().empty());
}

BOOST_AUTO_TEST_CASE(close_wait_suspect_and_pid_reuse) {
    LeakDetector d({60'000, 20, 60'000});
    d.observe(1000, {obs(9, 5, 3, 0)});
    BOOST_REQUIRE(d.suspects().size() == 1u);
    BOOST_TEST(d.suspects()[0].reason == "close_wait");
    BOOST_TEST(d.suspects()[0].count == 3u);
    BOOST_TEST(d.suspects()[0].evidence.find("CLOSE_WAIT") != std::string::npos);
    d.observe(2000, {obs(9, 5, 0, 0)});
    BOOST_TEST(d.suspects().empty());

    // A reused pid (new starttime) starts a fresh history.
    LeakDetector g({5'000, 5, 60'000});
    for (int t = 0; t <= 5; ++t) g.observe(t * 1000, {obs(3, 10 + 3 * static_cast<std::uint32_t>(t))});
    BOOST_TEST(g.suspects().size() == 1u);
    ProcessSocketObservation reused = obs(3, 40);
    reused.starttime = 999;
    g.observe(6000, {reused});
    BOOST_TEST(g.suspects().empty());
}

BOOST_AUTO_TEST_CASE(a_process_watched_for_weeks_is_judged_as_on_its_first_day) {
    // Points keep 32-bit offsets from a base that moves; 30 days is past 2^31 ms.
    LeakDetector d({60'000, 20, 60'000});
    const std::int64_t start = 1'763'800'000'000;
    const std::int64_t day = 86'400'000;
    std::int64_t t = start;
    for (; t < start + 30 * day; t += 600'000) {
        d.observe(t, {obs(7, 10)});
        BOOST_TEST_REQUIRE(d.suspects().empty());
    }
    for (int s = 0; s < 60; ++s, t += 1000) d.observe(t, {obs(7, 10)});  // a window at 1 s, flat
    const std::int64_t growth_start = t;
    for (int s = 0; s <= 60; ++s, t += 1000) d.observe(t, {obs(7, 10 + static_cast<std::uint32_t>(s))});
    BOOST_REQUIRE(d.suspects().size() == 1u);
    // Rising in 31 of the window's 60 intervals, and by more than 20: a suspect
    // from then on, as in any other month.
    BOOST_TEST(d.suspects()[0].since_ms == growth_start + 31'000);
    BOOST_TEST(d.suspects()[0].evidence.find("from 10 to 70 in 60 s") != std::string::npos, d.suspects()[0].evidence);
}
