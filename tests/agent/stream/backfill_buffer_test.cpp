#include "agent/stream/backfill_buffer.hpp"

#define BOOST_TEST_MODULE backfill_buffer
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "telehub/codec.hpp"

using namespace telehub;
using namespace telehub::agent;

namespace {

Frame frame_of(std::uint64_t seq) { return std::make_shared<const std::string>("f" + std::to_string(seq)); }

std::vector<std::uint64_t> seqs(const std::vector<BufferedSample>& v) {
    std::vector<std::uint64_t> out;
    for (auto& s : v) out.push_back(s.seq);
    return out;
}

Sample sample(std::uint64_t seq) {
    Sample s;
    s.host_id = "host-a";
    s.seq = seq;
    s.ts_ms = 1763800000000 + static_cast<std::int64_t>(seq) * 1000;
    s.cpu = {12.5, 8.0, 4.0, 0.5, 0.0, {10.1, 14.9}};
    s.mem = {16'000'000'000ULL, 8'000'000'000ULL};
    s.sockets.source = "netlink";
    TopProcess p;
    p.pid = 7;
    p.name = "odd } name";  // a brace inside a string must not confuse the marking
    p.cmdline = "sh -c 'echo }'";
    p.user = "root";
    s.top.push_back(p);
    return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(keeps_order_until_full_then_drops_the_oldest) {
    BackfillBuffer b(3);
    BOOST_TEST(b.empty());
    BOOST_TEST(b.oldest_seq() == 0u);
    for (std::uint64_t s = 1; s <= 3; ++s) {
        auto r = b.push(s, frame_of(s));
        BOOST_TEST(r.accepted);
        BOOST_TEST(!r.evicted.has_value());
    }
    BOOST_TEST(b.size() == 3u);
    auto r = b.push(4, frame_of(4));
    BOOST_TEST(r.accepted);
    BOOST_REQUIRE(r.evicted.has_value());
    BOOST_TEST(r.evicted->seq == 1u);
    BOOST_TEST(*r.evicted->frame == "f1");
    for (std::uint64_t s = 5; s <= 9; ++s) b.push(s, frame_of(s));
    BOOST_TEST(b.size() == 3u);
    BOOST_TEST(b.capacity() == 3u);
    BOOST_TEST(b.evicted() == 6u);
    BOOST_TEST(b.oldest_seq() == 7u);
    BOOST_TEST(b.newest_seq() == 9u);
    auto all = b.after(0);
    BOOST_TEST(seqs(all) == (std::vector<std::uint64_t>{7, 8, 9}), boost::test_tools::per_element());
    BOOST_TEST(*all[0].frame == "f7");
    BOOST_TEST(*all[2].frame == "f9");
}

BOOST_AUTO_TEST_CASE(replay_after_last_seq_is_the_suffix_in_order) {
    BackfillBuffer b(300);
    for (std::uint64_t s = 1; s <= 10; ++s) b.push(s, frame_of(s));
    BOOST_TEST(seqs(b.after(6)) == (std::vector<std::uint64_t>{7, 8, 9, 10}), boost::test_tools::per_element());
    BOOST_TEST(b.after(10).empty());
    BOOST_TEST(b.after(1000).empty());
    BOOST_TEST(b.after(0).size() == 10u);
}

BOOST_AUTO_TEST_CASE(replay_after_wraparound_and_with_gaps_in_seq) {
    BackfillBuffer b(4);
    // seqs may jump (a tick that produced no sample); order still holds.
    for (std::uint64_t s : {2u, 3u, 5u, 8u, 9u, 11u}) b.push(s, frame_of(s));
    BOOST_TEST(seqs(b.after(0)) == (std::vector<std::uint64_t>{5, 8, 9, 11}), boost::test_tools::per_element());
    BOOST_TEST(seqs(b.after(6)) == (std::vector<std::uint64_t>{8, 9, 11}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(non_increasing_seq_and_null_frames_are_refused_without_change) {
    BackfillBuffer b(5);
    b.push(5, frame_of(5));
    BOOST_TEST(!b.push(5, frame_of(5)).accepted);
    BOOST_TEST(!b.push(3, frame_of(3)).accepted);
    BOOST_TEST(!b.push(6, nullptr).accepted);
    BOOST_TEST(b.refused() == 3u);
    BOOST_TEST(b.size() == 1u);
    BOOST_TEST(b.newest_seq() == 5u);
    BOOST_TEST(b.push(6, frame_of(6)).accepted);
}

BOOST_AUTO_TEST_CASE(capacity_zero_still_keeps_the_newest) {
    BackfillBuffer b(0);
    b.push(1, frame_of(1));
    auto r = b.push(2, frame_of(2));
    BOOST_TEST(r.evicted.has_value());
    BOOST_TEST(seqs(b.after(0)) == (std::vector<std::uint64_t>{2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(marked_sample_decodes_with_backfill_true_and_same_content) {
    Sample in = sample(42);
    std::string plain = encode_sample(in);
    FrameDecoder dec;
    AgentFrame out;
    BOOST_REQUIRE(!dec.decode(plain, out));
    BOOST_TEST(!out.sample.backfill);

    auto marked = mark_backfill(plain);
    BOOST_REQUIRE(marked);
    auto err = dec.decode(*marked, out);
    BOOST_REQUIRE_MESSAGE(!err, (err ? err->message : ""));
    BOOST_TEST((out.kind == FrameKind::sample));
    BOOST_TEST(out.sample.backfill);
    BOOST_TEST(out.sample.seq == 42u);
    BOOST_REQUIRE(out.sample.top.size() == 1u);
    BOOST_TEST(out.sample.top[0].name == "odd } name");
    BOOST_TEST(out.sample.top[0].cmdline == "sh -c 'echo }'");

    // Same as encoding with backfill=true, member for member.
    in.backfill = true;
    BOOST_TEST(nlohmann::json::parse(*marked) == nlohmann::json::parse(encode_sample(in)));
}

BOOST_AUTO_TEST_CASE(marking_handles_whitespace_and_empty_objects_and_refuses_non_objects) {
    BOOST_TEST(mark_backfill("{\"a\":1}  \n").value() == "{\"a\":1,\"backfill\":true}");
    BOOST_TEST(mark_backfill("{}").value() == "{\"backfill\":true}");
    BOOST_TEST(mark_backfill("{ }").value() == "{ \"backfill\":true}");
    BOOST_TEST(nlohmann::json::parse(mark_backfill("{ }").value())["backfill"] == true);
    BOOST_TEST(!mark_backfill(""));
    BOOST_TEST(!mark_backfill("}"));
    BOOST_TEST(!mark_backfill("[1,2]"));
    BOOST_TEST(!mark_backfill("{\"a\":1"));
}
