// batched_run: the io loop that takes work in batches. Work closer together
// than a period waits for the next batch (never less than a period after the
// one before), nothing posted is lost or reordered, and the loop ends when
// its io_context stops or runs out of work, as run() does.
#define BOOST_TEST_MODULE hub_batched_run
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "hub/batched_run.hpp"

using telehub::hub::batched_run;
namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// The loop on a thread of its own, kept alive by a work guard until stop().
struct Loop {
    net::io_context ioc;
    net::executor_work_guard<net::io_context::executor_type> guard = net::make_work_guard(ioc);
    std::future<void> done;

    explicit Loop(std::chrono::microseconds period) {
        done = std::async(std::launch::async, [this, period] { batched_run(ioc, period); });
    }
    ~Loop() { stop(); }

    bool stop() {
        guard.reset();
        ioc.stop();
        return done.wait_for(10s) == std::future_status::ready;
    }

    // Posts a handler and waits (with a deadline) until it has run; its time.
    clock_type::time_point run_one_handler() {
        std::promise<clock_type::time_point> ran;
        auto when = ran.get_future();
        net::post(ioc, [&ran] { ran.set_value(clock_type::now()); });
        BOOST_REQUIRE(when.wait_for(10s) == std::future_status::ready);
        return when.get();
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_zero_period_runs_everything_and_returns_when_out_of_work_as_run_does) {
    net::io_context ioc;
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) net::post(ioc, [&order, i] { order.push_back(i); });
    batched_run(ioc, 0us);
    BOOST_TEST(order == (std::vector<int>{0, 1, 2, 3, 4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_batched_loop_returns_when_out_of_work) {
    net::io_context ioc;
    int ran = 0;
    net::post(ioc, [&] {
        ++ran;
        net::post(ioc, [&] { ++ran; });  // more work from a handler, then none
    });
    auto done = std::async(std::launch::async, [&] { batched_run(ioc, 20ms); });
    BOOST_REQUIRE(done.wait_for(10s) == std::future_status::ready);
    BOOST_TEST(ran == 2);
}

BOOST_AUTO_TEST_CASE(a_batched_loop_returns_when_its_io_context_stops_even_while_busy) {
    Loop loop(200ms);
    loop.run_one_handler();
    loop.run_one_handler();  // work within a period of the last: the loop is batching now
    BOOST_TEST(loop.stop());
}

BOOST_AUTO_TEST_CASE(work_closer_together_than_a_period_waits_for_the_next_batch) {
    const auto period = 2s;
    Loop loop(period);
    // Each handler below is posted a while after the one before has run, so
    // that it comes on its own, not in the poll that follows the one before.
    const auto first = loop.run_one_handler();  // after idle: at once
    std::this_thread::sleep_for(200ms);
    const auto second = loop.run_one_handler();  // the first of a batch: at once too
    // The precondition of what follows: the second came within a period of the first.
    BOOST_REQUIRE_MESSAGE(second - first < period, "the machine took a whole period to post one handler");
    // The loop now sleeps out a period after the second before it looks again.
    std::this_thread::sleep_for(200ms);
    const auto third = loop.run_one_handler();
    BOOST_TEST((third - second >= period),
               "the third ran " << std::chrono::duration_cast<std::chrono::milliseconds>(third - second).count()
                                << " ms after the second");
}

BOOST_AUTO_TEST_CASE(nothing_posted_between_batches_is_lost_or_reordered) {
    Loop loop(5ms);
    std::mutex mu;
    std::vector<int> seen;
    std::atomic<int> count{0};
    constexpr int total = 2000;
    // From two threads, as the summaries thread and a cluster thread post to the io threads.
    auto post_range = [&](int from) {
        for (int i = from; i < from + total / 2; ++i) {
            net::post(loop.ioc, [&, i] {
                std::lock_guard lock(mu);
                seen.push_back(i);
                ++count;
            });
            if (i % 100 == 0) std::this_thread::sleep_for(1ms);
        }
    };
    std::thread a(post_range, 0), b(post_range, total / 2);
    a.join();
    b.join();
    const auto deadline = clock_type::now() + 10s;
    while (count.load() < total && clock_type::now() < deadline) std::this_thread::sleep_for(1ms);
    BOOST_REQUIRE_EQUAL(count.load(), total);
    BOOST_TEST(loop.stop());
    // Each poster's handlers ran in the order it posted them.
    int last_a = -1, last_b = total / 2 - 1;
    for (int v : seen) {
        int& last = v < total / 2 ? last_a : last_b;
        BOOST_TEST(v == last + 1);
        last = v;
    }
}
