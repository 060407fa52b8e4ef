#include "hub/live/live_queue.hpp"

#define BOOST_TEST_MODULE live_queue
#include <boost/test/unit_test.hpp>

using namespace telehub::hub;

namespace {

LiveMessage msg(std::string s, LiveMessageKind k) { return {std::make_shared<const std::string>(std::move(s)), k}; }

}  // namespace

BOOST_AUTO_TEST_CASE(newer_summaries_replace_an_unsent_one) {
    LiveQueue q(1000, 10);
    q.push(msg("s1", LiveMessageKind::summaries));
    q.push(msg("d1", LiveMessageKind::detail));
    BOOST_TEST((q.push(msg("s2-newer", LiveMessageKind::summaries)) == LiveQueue::Push::replaced));
    BOOST_TEST(q.size() == 2u);
    BOOST_TEST(q.bytes() == std::string("s2-newer").size() + 2);
    BOOST_TEST(*q.start_front().data == "s2-newer");
}

BOOST_AUTO_TEST_CASE(the_frame_in_flight_is_never_replaced) {
    LiveQueue q(1000, 10);
    q.push(msg("s1", LiveMessageKind::summaries));
    BOOST_TEST(*q.start_front().data == "s1");
    BOOST_TEST((q.push(msg("s2", LiveMessageKind::summaries)) == LiveQueue::Push::queued));
    q.finish_front();
    BOOST_TEST(q.size() == 1u);
    BOOST_TEST(*q.start_front().data == "s2");
    q.finish_front();
    BOOST_TEST(q.empty());
    BOOST_TEST(q.bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(limits_in_bytes_and_messages) {
    LiveQueue bytes(10, 100);
    bytes.push(msg("0123456789", LiveMessageKind::detail));
    BOOST_TEST(!bytes.over_limit());
    bytes.push(msg("x", LiveMessageKind::detail));
    BOOST_TEST(bytes.over_limit());
    LiveQueue count(1000, 2);
    for (int i = 0; i < 3; ++i) count.push(msg("d", LiveMessageKind::detail));
    BOOST_TEST(count.over_limit());
    count.start_front();
    count.finish_front();
    BOOST_TEST(!count.over_limit());
}
