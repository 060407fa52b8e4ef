// RawFramePool: a buffer comes back for a later frame only when its last
// holder gives it back, never while a dashboard's queue or a REST reply
// still holds it, and every buffer leaves room for the parser's padding.
#define BOOST_TEST_MODULE hub_net_raw_frame_pool
#include <boost/test/unit_test.hpp>

#include <string>

#include "hub/net/raw_frame_pool.hpp"
#include "telehub/codec.hpp"

using telehub::FrameDecoder;
using telehub::hub::RawFramePool;

BOOST_AUTO_TEST_CASE(a_buffer_holds_the_frame_with_room_for_the_padding) {
    RawFramePool pool;
    const std::string frame(3000, 'x');
    auto b = pool.take(frame);
    BOOST_TEST(*b == frame);
    BOOST_TEST(b->capacity() >= frame.size() + FrameDecoder::padding);
}

BOOST_AUTO_TEST_CASE(a_buffer_given_back_by_its_last_holder_serves_the_next_frame) {
    RawFramePool pool;
    auto first = pool.take("first frame");
    const std::string* where = first.get();
    pool.give_back(std::move(first));
    BOOST_TEST(pool.size() == 1u);
    auto second = pool.take("second");
    BOOST_TEST(second.get() == where);
    BOOST_TEST(*second == "second");
    BOOST_TEST(pool.size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_buffer_someone_else_still_holds_is_not_reused) {
    RawFramePool pool;
    std::shared_ptr<const std::string> kept = pool.take("held by a dashboard's queue");
    auto again = kept;
    pool.give_back(std::move(again));
    BOOST_TEST(pool.size() == 0u);
    auto next = pool.take("the next frame");
    BOOST_TEST(next.get() != kept.get());
    BOOST_TEST(*kept == "held by a dashboard's queue");
}

BOOST_AUTO_TEST_CASE(the_pool_keeps_a_few_buffers_and_none_grown_by_a_huge_frame) {
    RawFramePool pool;
    pool.give_back(nullptr);
    BOOST_TEST(pool.size() == 0u);
    pool.give_back(pool.take(std::string(RawFramePool::max_kept_capacity + 1, 'r')));
    BOOST_TEST(pool.size() == 0u);
    for (std::size_t i = 0; i < RawFramePool::max_free + 3; ++i) pool.give_back(pool.take(std::string(100, 's')));
    // Each take reused the one given back: one buffer went round.
    BOOST_TEST(pool.size() == 1u);
    std::vector<std::shared_ptr<std::string>> out;
    for (std::size_t i = 0; i < RawFramePool::max_free + 3; ++i) out.push_back(pool.take("f"));
    for (auto& b : out) pool.give_back(std::move(b));
    BOOST_TEST(pool.size() == RawFramePool::max_free);
}

BOOST_AUTO_TEST_CASE(a_frame_parsed_in_its_pool_buffer_decodes_as_a_copy_would) {
    RawFramePool pool;
    FrameDecoder in_place, copied;
    telehub::AgentFrame a, b;
    const std::string hello =
        R"({"type":"hello","protocol":1,"host_id":"h-1","hostname":"h1.test","cores":4,"interval_ms":1000})";
    // A reused buffer holds the longer frame's bytes past the shorter one's end: they must not be read as its own.
    pool.give_back(pool.take(hello + R"(,"junk":[1,2,3]})" + std::string(200, ' ')));
    auto buf = pool.take(hello);
    BOOST_TEST(!in_place.decode_in_place(*buf, a));
    BOOST_TEST(!copied.decode(hello, b));
    BOOST_TEST(a.hello.host_id == "h-1");
    BOOST_TEST(a.hello.cores == b.hello.cores);
    auto bad = pool.take(R"({"type":"hello","protocol":1})");
    auto err = in_place.decode_in_place(*bad, a);
    BOOST_REQUIRE(err);
    BOOST_TEST(err->message.find("host_id") != std::string::npos, err->message);
}
