#include "hub/background_work.hpp"

#define BOOST_TEST_MODULE background_work
#include <boost/test/unit_test.hpp>

#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "tests/support/wait.hpp"

using namespace telehub::hub;
using namespace std::chrono_literals;
using Priority = BackgroundWork::Priority;

namespace {

// Jobs that write their name down, run while the thread is held by a gate so
// that everything is queued before the first one starts.
struct Recorder {
    std::mutex mu;
    std::vector<std::string> order;
    std::function<void()> job(std::string name) {
        return [this, name] {
            std::lock_guard lock(mu);
            order.push_back(name);
        };
    }
    std::vector<std::string> seen() {
        std::lock_guard lock(mu);
        return order;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(interactive_jobs_go_before_queued_bulk_ones_each_in_order) {
    BackgroundWork work;
    Recorder r;
    std::promise<void> release;
    auto gate = release.get_future().share();
    std::promise<void> held;
    work.post(Priority::bulk, [&held, gate] {
        held.set_value();
        gate.wait();
    });
    held.get_future().wait();
    work.post(Priority::bulk, r.job("history 1"));
    work.post(Priority::bulk, r.job("history 2"));
    work.post(Priority::interactive, r.job("snapshot 1"));
    work.post(Priority::bulk, r.job("history 3"));
    work.post(Priority::interactive, r.job("snapshot 2"));
    BOOST_TEST(work.queued(Priority::bulk) == 3u);
    BOOST_TEST(work.queued(Priority::interactive) == 2u);
    release.set_value();
    BOOST_REQUIRE(telehub::test::wait_until([&] { return r.seen().size() == 5; }, 10s));
    const std::vector<std::string> want = {"snapshot 1", "snapshot 2", "history 1", "history 2", "history 3"};
    BOOST_TEST(r.seen() == want, boost::test_tools::per_element());
    BOOST_TEST(work.queued(Priority::bulk) == 0u);
}

// Joining runs what was queued (the hub's jobs return at once when it is
// stopping) and drops what comes later.
BOOST_AUTO_TEST_CASE(join_runs_what_is_queued_and_drops_later_posts) {
    Recorder r;
    {
        BackgroundWork work;
        std::promise<void> release;
        auto gate = release.get_future().share();
        work.post(Priority::bulk, [gate] { gate.wait(); });
        work.post(Priority::bulk, r.job("queued bulk"));
        work.post(Priority::interactive, r.job("queued interactive"));
        std::thread joiner([&] { work.join(); });
        release.set_value();
        joiner.join();
        work.post(Priority::interactive, r.job("after join"));
        work.join();  // again: nothing left to do
    }
    const std::vector<std::string> want = {"queued interactive", "queued bulk"};
    BOOST_TEST(r.seen() == want, boost::test_tools::per_element());
}
