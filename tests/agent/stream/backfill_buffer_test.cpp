#include "agent/stream/backfill_buffer.hpp"

#define BOOST_TEST_MODULE backfill_buffer
#include <boost/test/unit_test.hpp>

#include <random>

#include <nlohmann/json.hpp>

#include "telehub/codec.hpp"

using namespace telehub;
using namespace telehub::agent;

namespace {

std::string frame_of(std::uint64_t seq) { return "f" + std::to_string(seq); }


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

// A sample as a busy host sends it: many processes whose numbers change
// from one sample to the next, so no two frames are alike.
std::string busy_frame(std::uint64_t seq) {
    Sample s = sample(seq);
    s.cpu.total = double(seq % 97) + 0.25;
    for (int i = 0; i < 40; ++i) {
        TopProcess p;
        p.pid = 1000 + i * 7;
        p.name = "worker-" + std::to_string(i);
        p.cmdline = "/usr/bin/worker --shard " + std::to_string(i) + " --seq " + std::to_string(seq * 31 + i);
        p.user = i % 2 ? "www-data" : "root";
        p.cpu = double((seq * 13 + i * 5) % 1000) / 10.0;
        p.rss = 1'000'000ULL * (i + 1) + seq * 4096;
        s.top.push_back(p);
    }
    return encode_sample(s);
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
    BOOST_TEST(*r.evicted == 1u);
    BOOST_TEST(!b.frame(1).has_value());
    for (std::uint64_t s = 5; s <= 9; ++s) b.push(s, frame_of(s));
    BOOST_TEST(b.size() == 3u);
    BOOST_TEST(b.capacity() == 3u);
    BOOST_TEST(b.evicted() == 6u);
    BOOST_TEST(b.oldest_seq() == 7u);
    BOOST_TEST(b.newest_seq() == 9u);
    auto all = b.after(0);
    BOOST_TEST(all == (std::vector<std::uint64_t>{7, 8, 9}), boost::test_tools::per_element());
    BOOST_TEST(b.frame(7).value() == "f7");
    BOOST_TEST(b.frame(9).value() == "f9");
}

BOOST_AUTO_TEST_CASE(replay_after_last_seq_is_the_suffix_in_order) {
    BackfillBuffer b(300);
    for (std::uint64_t s = 1; s <= 10; ++s) b.push(s, frame_of(s));
    BOOST_TEST((b.after(6)) == (std::vector<std::uint64_t>{7, 8, 9, 10}), boost::test_tools::per_element());
    BOOST_TEST(b.after(10).empty());
    BOOST_TEST(b.after(1000).empty());
    BOOST_TEST(b.after(0).size() == 10u);
}

BOOST_AUTO_TEST_CASE(replay_after_wraparound_and_with_gaps_in_seq) {
    BackfillBuffer b(4);
    // seqs may jump (a tick that produced no sample); order still holds.
    for (std::uint64_t s : {2u, 3u, 5u, 8u, 9u, 11u}) b.push(s, frame_of(s));
    BOOST_TEST((b.after(0)) == (std::vector<std::uint64_t>{5, 8, 9, 11}), boost::test_tools::per_element());
    BOOST_TEST((b.after(6)) == (std::vector<std::uint64_t>{8, 9, 11}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(non_increasing_seq_is_refused_without_change) {
    BackfillBuffer b(5);
    b.push(5, frame_of(5));
    BOOST_TEST(!b.push(5, "other").accepted);
    BOOST_TEST(!b.push(3, frame_of(3)).accepted);
    BOOST_TEST(b.refused() == 2u);
    BOOST_TEST(b.size() == 1u);
    BOOST_TEST(b.newest_seq() == 5u);
    BOOST_TEST(b.frame(5).value() == "f5");  // not replaced by the refused "other"
    BOOST_TEST(!b.frame(3).has_value());
    BOOST_TEST(b.push(6, frame_of(6)).accepted);
}

BOOST_AUTO_TEST_CASE(capacity_zero_still_keeps_the_newest) {
    BackfillBuffer b(0);
    b.push(1, frame_of(1));
    auto r = b.push(2, frame_of(2));
    BOOST_TEST(r.evicted.has_value());
    BOOST_TEST((b.after(0)) == (std::vector<std::uint64_t>{2}), boost::test_tools::per_element());
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

BOOST_AUTO_TEST_CASE(every_held_frame_comes_back_byte_for_byte_and_packed_smaller) {
    BackfillBuffer b(300);
    std::vector<std::string> pushed(361);
    for (std::uint64_t seq = 1; seq <= 360; ++seq) {
        pushed[seq] = busy_frame(seq);
        BOOST_REQUIRE(b.push(seq, pushed[seq]).accepted);
    }
    BOOST_TEST(b.size() == 300u);
    std::size_t text = 0;
    for (std::uint64_t seq = 61; seq <= 360; ++seq) {
        auto f = b.frame(seq);
        BOOST_REQUIRE_MESSAGE(f, "seq " << seq << " is not held");
        BOOST_REQUIRE_MESSAGE(*f == pushed[seq], "seq " << seq << " came back different");
        text += pushed[seq].size();
    }
    for (std::uint64_t seq = 1; seq <= 60; ++seq) BOOST_TEST(!b.frame(seq).has_value());
    // The accounting follows evictions: exactly the held frames' sizes.
    BOOST_TEST(b.frame_bytes() == text);
    BOOST_TEST_MESSAGE("300 frames: " << b.frame_bytes() << " bytes as text, " << b.packed_bytes() << " packed");
    // Held as text the ring would take `text` bytes; packed it must take far less.
    // A frame packed on its own keeps about a third; packed against the ones before it, far less.
    BOOST_TEST(b.packed_bytes() * 5 < b.frame_bytes(), b.packed_bytes() << " packed of " << b.frame_bytes());
}

BOOST_AUTO_TEST_CASE(incompressible_empty_and_binary_frames_come_back_exactly) {
    std::mt19937_64 rng(17);
    std::string noise(70000, '\0');
    for (auto& c : noise) c = static_cast<char>(rng());
    std::string zeros(5000, '\0');
    BackfillBuffer b(8);
    b.push(1, noise);
    b.push(2, "");
    b.push(3, zeros);
    b.push(4, "x");
    BOOST_TEST(b.frame(1).value() == noise);
    BOOST_TEST(b.frame(2).value().empty());
    BOOST_TEST(b.frame(3).value() == zeros);
    BOOST_TEST(b.frame(4).value() == "x");
    BOOST_TEST(b.frame_bytes() == noise.size() + zeros.size() + 1);
}

BOOST_AUTO_TEST_CASE(seqs_between_held_ones_are_not_held) {
    BackfillBuffer b(10);
    for (std::uint64_t s : {2u, 5u, 9u}) b.push(s, frame_of(s));
    for (std::uint64_t s : {0u, 1u, 3u, 4u, 6u, 8u, 10u}) BOOST_TEST(!b.frame(s).has_value(), "seq " << s);
    BOOST_TEST(b.frame(5).value() == "f5");
}

BOOST_AUTO_TEST_CASE(a_ring_smaller_than_a_block_and_frames_across_blocks_come_back_exactly) {
    // Capacity 3 with blocks of several frames: evicted frames share blocks
    // with held ones, and blocks are freed only once all theirs are gone.
    BackfillBuffer b(3);
    for (std::uint64_t seq = 1; seq <= 47; ++seq) {
        b.push(seq, busy_frame(seq));
        for (std::uint64_t held = seq > 2 ? seq - 2 : 1; held <= seq; ++held)
            BOOST_REQUIRE_MESSAGE(b.frame(held) == busy_frame(held), "seq " << held << " after pushing " << seq);
    }
    BOOST_TEST(b.frame_bytes() == busy_frame(45).size() + busy_frame(46).size() + busy_frame(47).size());
    // What the ring holds packed stays bounded by a few blocks, not by all 47 pushes.
    std::size_t all_text = 0;
    for (std::uint64_t seq = 1; seq <= 47; ++seq) all_text += busy_frame(seq).size();
    BOOST_TEST(b.packed_bytes() * 4 < all_text, b.packed_bytes() << " packed after 47 pushes of " << all_text);
}
