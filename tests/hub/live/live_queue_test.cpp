#include "hub/live/live_queue.hpp"

#define BOOST_TEST_MODULE live_queue
#include <boost/test/unit_test.hpp>

using namespace telehub::hub;

namespace {

LiveMessage msg(std::string s, LiveMessageKind k) { return {std::make_shared<const std::string>(std::move(s)), k}; }

LiveMessage set(std::vector<std::string> parts) {
    return {nullptr, LiveMessageKind::summaries, std::make_shared<const std::vector<std::string>>(std::move(parts))};
}

// Writes (starts and finishes) the next frame.
std::string write_one(LiveQueue& q) {
    BOOST_REQUIRE(q.ready());
    std::string f = q.start_next();
    q.finish_next();
    return f;
}

}  // namespace

BOOST_AUTO_TEST_CASE(newer_summaries_replace_an_unsent_set) {
    LiveQueue q(1000, 10);
    q.push(set({"s1a", "s1b"}));
    q.push(msg("d1", LiveMessageKind::detail));
    BOOST_TEST((q.push(set({"s2-newer"})) == LiveQueue::Push::replaced));
    BOOST_TEST(q.size() == 2u);
    BOOST_TEST(q.bytes() == std::string("s2-newer").size() + 2);
    BOOST_TEST(write_one(q) == "d1");
    BOOST_TEST(write_one(q) == "s2-newer");
    BOOST_TEST(q.empty());
    BOOST_TEST(q.bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(a_detail_frame_goes_between_the_parts_of_a_set) {
    LiveQueue q(1000, 10);
    q.push(set({"p0", "p1", "p2"}));
    BOOST_TEST(q.start_next() == "p0");
    q.push(msg("d1", LiveMessageKind::detail));
    q.push(msg("d2", LiveMessageKind::detail));
    BOOST_TEST(!q.ready());  // one write in flight
    q.finish_next();
    BOOST_TEST(write_one(q) == "d1");
    BOOST_TEST(write_one(q) == "d2");
    BOOST_TEST(write_one(q) == "p1");
    q.push(msg("e", LiveMessageKind::error));
    BOOST_TEST(write_one(q) == "e");
    BOOST_TEST(write_one(q) == "p2");
    BOOST_TEST(!q.ready());
    BOOST_TEST(q.empty());
}

BOOST_AUTO_TEST_CASE(the_part_in_flight_is_never_dropped) {
    LiveQueue q(1000, 10);
    q.push(set({"s1a", "s1b"}));
    const std::string& flying = q.start_next();
    BOOST_TEST(flying == "s1a");
    BOOST_TEST((q.push(set({"s2a", "s2b"})) == LiveQueue::Push::replaced));  // s1b dropped
    BOOST_TEST(flying == "s1a");  // still alive while in flight
    BOOST_TEST(q.size() == 3u);
    BOOST_TEST(q.bytes() == 9u);
    q.finish_next();
    BOOST_TEST(write_one(q) == "s2a");
    BOOST_TEST(write_one(q) == "s2b");
    BOOST_TEST(q.empty());
    BOOST_TEST(q.bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(a_snapshot_drops_the_summaries_queued_before_it) {
    LiveQueue q(1000, 10);
    q.push(set({"old0", "old1"}));
    BOOST_TEST(q.start_next() == "old0");
    BOOST_TEST((q.push(msg("snap", LiveMessageKind::snapshot)) == LiveQueue::Push::replaced));
    q.push(set({"new0"}));  // built after the snapshot: kept, and written after it
    q.finish_next();
    BOOST_TEST(write_one(q) == "snap");
    BOOST_TEST(write_one(q) == "new0");
    BOOST_TEST(q.empty());
    BOOST_TEST(q.bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(single_frames_keep_their_order) {
    LiveQueue q(1000, 10);
    q.push(msg("snap", LiveMessageKind::snapshot));
    q.push(msg("d1", LiveMessageKind::detail));
    q.push(msg("e1", LiveMessageKind::error));
    BOOST_TEST(write_one(q) == "snap");
    BOOST_TEST(write_one(q) == "d1");
    BOOST_TEST(write_one(q) == "e1");
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
    write_one(count);
    BOOST_TEST(!count.over_limit());
}

BOOST_AUTO_TEST_CASE(the_view_is_replaced_not_counted_against_the_limits) {
    // A fleet's snapshot and summaries are as big as the fleet; a client is
    // behind only when what it must not miss piles up.
    LiveQueue q(10, 2);
    q.push(msg(std::string(1000, 's'), LiveMessageKind::snapshot));
    q.push(set({std::string(500, 'a'), std::string(500, 'b'), std::string(500, 'c')}));
    BOOST_TEST(!q.over_limit());
    BOOST_TEST(q.bytes() == 2500u);
    BOOST_TEST(q.backlog_bytes() == 0u);
    q.push(msg("0123456789", LiveMessageKind::detail));
    BOOST_TEST(!q.over_limit());
    q.push(msg("e", LiveMessageKind::error));
    BOOST_TEST(q.over_limit());  // 11 bytes of backlog
    BOOST_TEST(q.backlog_frames() == 2u);
    // Written, in flight, finished: the backlog goes back down.
    BOOST_TEST(q.start_next().size() == 1000u);  // the snapshot first
    q.finish_next();
    BOOST_TEST(q.over_limit());
    BOOST_TEST(write_one(q) == "0123456789");
    BOOST_TEST(!q.over_limit());
    BOOST_TEST(q.backlog_bytes() == 1u);
    BOOST_TEST(write_one(q) == "e");
    BOOST_TEST(q.backlog_bytes() == 0u);
    BOOST_TEST(q.backlog_frames() == 0u);
    BOOST_TEST(q.bytes() == 1500u);  // the set, still to write
}

BOOST_AUTO_TEST_CASE(a_newer_snapshot_replaces_an_unsent_one) {
    LiveQueue q(1000, 10);
    q.push(msg("d0", LiveMessageKind::detail));
    BOOST_TEST(q.start_next() == "d0");
    q.push(msg("snap-old", LiveMessageKind::snapshot));
    q.push(msg("d1", LiveMessageKind::detail));
    BOOST_TEST((q.push(msg("snap-new", LiveMessageKind::snapshot)) == LiveQueue::Push::replaced));
    q.finish_next();
    BOOST_TEST(write_one(q) == "d1");
    BOOST_TEST(write_one(q) == "snap-new");
    BOOST_TEST(q.empty());
    BOOST_TEST(q.bytes() == 0u);
    // The snapshot in flight is never replaced.
    q.push(msg("s1", LiveMessageKind::snapshot));
    BOOST_TEST(q.start_next() == "s1");
    BOOST_TEST((q.push(msg("s2", LiveMessageKind::snapshot)) == LiveQueue::Push::queued));
    q.finish_next();
    BOOST_TEST(write_one(q) == "s2");
}
