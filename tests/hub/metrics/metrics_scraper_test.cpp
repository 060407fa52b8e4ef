#include "hub/metrics/metrics_scraper.hpp"

#define BOOST_TEST_MODULE metrics_scraper
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "tests/support/wait.hpp"

using namespace telehub::hub;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(a_scrape_gets_the_body_built_on_the_scraper_thread) {
    const auto caller = std::this_thread::get_id();
    std::atomic<bool> off_caller{false};
    MetricsScraper s([&] {
        off_caller = std::this_thread::get_id() != caller;
        return std::string("body\n");
    });
    std::promise<std::string> got;
    BOOST_TEST(s.request([&](std::string b) { got.set_value(std::move(b)); }));
    auto f = got.get_future();
    BOOST_TEST_REQUIRE((f.wait_for(5s) == std::future_status::ready));
    BOOST_TEST(f.get() == "body\n");
    BOOST_TEST(off_caller.load());
}

BOOST_AUTO_TEST_CASE(scrapes_waiting_during_a_build_share_the_next_one_and_the_queue_is_bounded) {
    std::atomic<int> builds{0};
    std::promise<void> release;
    auto released = release.get_future().share();
    std::atomic<bool> building{false};
    MetricsScraper s(
        [&] {
            building = true;
            released.wait();  // the first build holds until the test has queued the rest
            return "build " + std::to_string(++builds) + "\n";
        },
        3);
    std::atomic<int> answered{0};
    std::vector<std::string> bodies(4);
    auto ask = [&](int i) { return s.request([&, i](std::string b) { bodies[i] = std::move(b); ++answered; }); };
    BOOST_TEST(ask(0));
    BOOST_TEST_REQUIRE(telehub::test::wait_until([&] { return building.load(); }, 5s, 1ms));
    BOOST_TEST(ask(1));
    BOOST_TEST(ask(2));
    BOOST_TEST(ask(3));
    BOOST_TEST(!s.request([](std::string) {}));  // a fourth waiter is over the bound of 3
    release.set_value();
    BOOST_TEST_REQUIRE(telehub::test::wait_until([&] { return answered.load() == 4; }, 5s, 1ms));
    BOOST_TEST(builds.load() == 2);
    BOOST_TEST(bodies[0] == "build 1\n");
    BOOST_TEST(bodies[1] == "build 2\n");
    BOOST_TEST(bodies[2] == "build 2\n");
    BOOST_TEST(bodies[3] == "build 2\n");
}

BOOST_AUTO_TEST_CASE(after_stop_scrapes_are_refused) {
    MetricsScraper s([] { return std::string(); });
    s.stop();
    BOOST_TEST(!s.request([](std::string) {}));
}
