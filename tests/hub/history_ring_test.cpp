#include "hub/history_ring.hpp"

#define BOOST_TEST_MODULE history_ring
#include <boost/test/unit_test.hpp>

#include <cmath>

using telehub::hub::HistoryEntry;
using telehub::hub::HistoryRing;

namespace {

HistoryEntry entry(std::uint64_t seq, double cpu = 10, std::string top = "nginx") {
    HistoryEntry e;
    e.seq = seq;
    e.ts_ms = 1'763'800'000'000 + static_cast<std::int64_t>(seq) * 1000;
    e.cpu = cpu;
    e.per_core = {cpu, cpu / 2};
    e.load1 = 1.25;
    e.tcp_established = 120;
    e.tcp_listen = 8;
    e.tcp_time_wait = 3;
    e.tcp_close_wait = 1;
    e.udp = 4;
    e.unix_ = 70000;  // over 16 bits: saturates
    e.top_name = std::move(top);
    e.top_cpu = 250.5;
    return e;
}

}  // namespace

BOOST_AUTO_TEST_CASE(points_round_trip_with_tenths_precision) {
    HistoryRing ring(10);
    BOOST_TEST((ring.insert(entry(1, 12.34)) == HistoryRing::Insert::appended));
    auto e = ring.at(0);
    BOOST_TEST(e.seq == 1u);
    BOOST_TEST(e.ts_ms == 1'763'800'001'000);
    BOOST_TEST(e.cpu == 12.3, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(e.per_core.size() == 2u);
    BOOST_TEST(e.per_core[1] == 6.2, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(e.load1 == 1.25, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(e.top_name == "nginx");
    BOOST_TEST(e.top_cpu == 250.5, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(e.tcp_established == 120u);
    BOOST_TEST(e.unix_ == 65535u);
}

BOOST_AUTO_TEST_CASE(full_ring_drops_the_oldest) {
    HistoryRing ring(5);
    for (std::uint64_t s = 1; s <= 12; ++s) ring.insert(entry(s, static_cast<double>(s)));
    BOOST_TEST(ring.size() == 5u);
    for (std::size_t i = 0; i < 5; ++i) BOOST_TEST(ring.at(i).seq == 8 + i);
    auto cols = ring.columns(0);
    BOOST_TEST(cols.seq.front() == 8u);
    BOOST_TEST(cols.cpu.back() == 12.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(cols.per_core.size() == 2u);
    BOOST_TEST(cols.per_core[0].size() == 5u);
    auto spark = ring.recent_cpu(3);
    BOOST_TEST(spark.size() == 3u);
    BOOST_TEST(spark.front() == 10.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(backfill_is_inserted_in_seq_order_and_duplicates_refused) {
    HistoryRing ring(10);
    ring.insert(entry(1));
    ring.insert(entry(5, 50));
    BOOST_TEST((ring.insert(entry(3, 30)) == HistoryRing::Insert::inserted));
    BOOST_TEST((ring.insert(entry(2, 20)) == HistoryRing::Insert::inserted));
    BOOST_TEST((ring.insert(entry(4, 40)) == HistoryRing::Insert::inserted));
    BOOST_TEST((ring.insert(entry(3, 99)) == HistoryRing::Insert::duplicate));
    BOOST_REQUIRE(ring.size() == 5u);
    for (std::size_t i = 0; i < 5; ++i) {
        BOOST_TEST(ring.at(i).seq == i + 1);
        BOOST_TEST(ring.at(i).per_core[0] == (i == 0 ? 10.0 : 10.0 * static_cast<double>(i + 1)),
                   boost::test_tools::tolerance(1e-9));
    }
}

BOOST_AUTO_TEST_CASE(backfill_into_a_full_ring_drops_the_oldest_or_is_too_old) {
    HistoryRing ring(4);
    for (std::uint64_t s : {10, 11, 13, 14}) ring.insert(entry(s));
    BOOST_TEST((ring.insert(entry(12)) == HistoryRing::Insert::inserted));
    std::vector<std::uint64_t> seqs;
    for (std::size_t i = 0; i < ring.size(); ++i) seqs.push_back(ring.at(i).seq);
    BOOST_TEST(seqs == (std::vector<std::uint64_t>{11, 12, 13, 14}), boost::test_tools::per_element());
    BOOST_TEST((ring.insert(entry(5)) == HistoryRing::Insert::too_old));
}

BOOST_AUTO_TEST_CASE(a_new_instance_orders_only_against_its_own_points) {
    HistoryRing ring(10);
    for (std::uint64_t s = 100; s < 103; ++s) ring.insert(entry(s));
    ring.begin_instance();
    // seq restarts at 1: appended after the old instance's points, not before them.
    BOOST_TEST((ring.insert(entry(1)) == HistoryRing::Insert::appended));
    BOOST_TEST((ring.insert(entry(2)) == HistoryRing::Insert::appended));
    BOOST_TEST(ring.at(3).seq == 1u);
    BOOST_TEST(ring.at(4).seq == 2u);
}

BOOST_AUTO_TEST_CASE(an_hour_of_history_fits_the_per_host_budget) {
    HistoryRing ring(3600);
    const char* names[] = {"nginx", "postgres", "java"};
    for (std::uint64_t s = 1; s <= 2 * 3600; ++s) ring.insert(entry(s, 5, names[s % 3]));
    BOOST_TEST(ring.size() == 3600u);
    BOOST_TEST_MESSAGE("history bytes, 3600 points, 2 cores: " << ring.memory_bytes());
    // 36 B per point, 2 B per core for the newest 600 points, a few hundred bytes of names.
    BOOST_TEST(ring.memory_bytes() <= 3600u * 36 + 600u * 2 * 2 + 1024);
}

BOOST_AUTO_TEST_CASE(memory_is_bounded_for_an_hour_whatever_the_names) {
    HistoryRing ring(3600);
    auto before = ring.memory_bytes();
    for (std::uint64_t s = 1; s <= 3 * 3600; ++s) ring.insert(entry(s, 5, "proc-" + std::to_string(s)));
    BOOST_TEST(ring.size() == 3600u);
    // Every name is distinct, so the interner had to compact; old names are gone.
    BOOST_TEST(ring.at(0).top_name == "proc-" + std::to_string(2 * 3600 + 1));
    BOOST_TEST(ring.at(3599).top_name == "proc-" + std::to_string(3 * 3600));
    auto after = ring.memory_bytes();
    BOOST_TEST_MESSAGE("history bytes for 3600 points, 2 cores, all names distinct: " << after);
    // 36 B per point, 2 B per core for the newest 600, plus the names (at most ~capacity of them).
    BOOST_TEST(after < 3600u * 36 + 600u * 2 * 2 + 3700u * 96);
    BOOST_TEST(after >= before);
}

BOOST_AUTO_TEST_CASE(columns_respect_the_since_bound) {
    HistoryRing ring(100);
    for (std::uint64_t s = 1; s <= 20; ++s) ring.insert(entry(s));
    auto cols = ring.columns(entry(16).ts_ms);
    BOOST_TEST(cols.seq.size() == 5u);
    BOOST_TEST(cols.seq.front() == 16u);
}

BOOST_AUTO_TEST_CASE(socket_churn_columns_round_trip_and_saturate) {
    HistoryRing ring(10);
    auto a = entry(1);
    a.opens_exact = 42;
    a.opened = 7;
    a.closed = 3;
    auto b = entry(2);
    b.opens_exact = 5'000'000'000ULL;  // over 32 bits: saturates to 16
    b.opened = 70000;
    b.closed = 0;
    ring.insert(a);
    ring.insert(b);
    BOOST_TEST(ring.at(0).opens_exact == 42u);
    BOOST_TEST(ring.at(0).opened == 7u);
    BOOST_TEST(ring.at(0).closed == 3u);
    auto c = ring.columns(0);
    BOOST_TEST((c.opens_exact == std::vector<std::uint32_t>{42, 65535}));
    BOOST_TEST((c.opened == std::vector<std::uint32_t>{7, 65535}));
    BOOST_TEST((c.closed == std::vector<std::uint32_t>{3, 0}));
}

BOOST_AUTO_TEST_CASE(storage_grows_with_the_points_held_not_the_capacity) {
    HistoryRing ring(3600);
    auto empty = ring.memory_bytes();
    BOOST_TEST(empty < 3600u * 36 / 4);
    for (std::uint64_t s = 1; s <= 10; ++s) ring.insert(entry(s));
    auto ten = ring.memory_bytes();
    BOOST_TEST(ten < 3600u * 36 / 4);
    for (std::uint64_t s = 11; s <= 3600; ++s) ring.insert(entry(s));
    BOOST_TEST(ring.memory_bytes() > ten);
    BOOST_TEST(ring.capacity() == 3600u);
    BOOST_TEST(ring.at(0).seq == 1u);
    BOOST_TEST(ring.at(3599).seq == 3600u);
}

BOOST_AUTO_TEST_CASE(per_core_is_kept_for_the_newest_points_only) {
    HistoryRing ring(20, 256, 5);
    for (std::uint64_t s = 1; s <= 12; ++s) ring.insert(entry(s, static_cast<double>(s)));
    BOOST_TEST(ring.size() == 12u);
    BOOST_TEST(ring.core_points() == 5u);
    BOOST_TEST(ring.at(6).per_core.empty());
    BOOST_REQUIRE(ring.at(7).per_core.size() == 2u);
    BOOST_TEST(ring.at(7).per_core[0] == 8.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(ring.at(11).per_core[1] == 6.0, boost::test_tools::tolerance(1e-9));
    auto cols = ring.columns(0);
    BOOST_REQUIRE(cols.per_core.size() == 2u);
    BOOST_REQUIRE(cols.per_core[0].size() == 12u);  // aligned with ts_ms, NaN (null) before the window
    BOOST_TEST(std::isnan(cols.per_core[0][6]));
    BOOST_TEST(cols.per_core[0][7] == 8.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(backfill_keeps_per_core_aligned_inside_the_window) {
    HistoryRing ring(20, 256, 4);
    for (std::uint64_t s : {1, 2, 3, 5, 6}) ring.insert(entry(s, static_cast<double>(s * 10)));
    BOOST_TEST((ring.insert(entry(4, 40)) == HistoryRing::Insert::inserted));
    for (std::size_t i = 2; i < 6; ++i) {
        BOOST_REQUIRE(ring.at(i).per_core.size() == 2u);
        BOOST_TEST(ring.at(i).per_core[0] == 10.0 * static_cast<double>(i + 1), boost::test_tools::tolerance(1e-9));
    }
    BOOST_TEST(ring.at(1).per_core.empty());
    // Older than the window: the point is kept, its per-core values are not.
    HistoryRing small(20, 256, 2);
    for (std::uint64_t s : {1, 3, 4, 5}) small.insert(entry(s, static_cast<double>(s * 10)));
    BOOST_TEST((small.insert(entry(2, 20)) == HistoryRing::Insert::inserted));
    BOOST_TEST(small.at(1).seq == 2u);
    BOOST_TEST(small.at(1).per_core.empty());
    BOOST_TEST(small.at(4).per_core[0] == 50.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(a_full_ring_keeps_per_core_for_every_point_when_the_window_covers_it) {
    HistoryRing ring(5, 256, 600);
    for (std::uint64_t s = 1; s <= 9; ++s) ring.insert(entry(s, static_cast<double>(s)));
    BOOST_TEST(ring.core_points() == 5u);
    for (std::size_t i = 0; i < 5; ++i)
        BOOST_TEST(ring.at(i).per_core[0] == static_cast<double>(5 + i), boost::test_tools::tolerance(1e-9));
}
