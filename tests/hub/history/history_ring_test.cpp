#include "hub/history/history_ring.hpp"

#define BOOST_TEST_MODULE history_ring
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

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
    // Steady samples: at most 160 plain 36 B points, the rest packed at under
    // 2 B each, 2 B per core for the newest 600 points, a few hundred bytes of names.
    BOOST_TEST(ring.memory_bytes() <= 160u * 36 + 3600u * 2 + 600u * 2 * 2 + 1024);
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

namespace {

// What the ring should hold for one point, in its stored units, kept by a
// plain sorted vector with the ring's documented rules.
struct Expected {
    std::int64_t ts_ms;
    std::uint32_t seq;
    std::uint16_t v[13];  // cpu, load1, top_cpu, then the counts in HistoryEntry order
    std::string name;
    std::vector<std::uint16_t> cores;
};

HistoryEntry to_entry(const Expected& x) {
    HistoryEntry e;
    e.ts_ms = x.ts_ms;
    e.seq = x.seq;
    e.cpu = x.v[0] / 10.0;
    e.load1 = x.v[1] / 100.0;
    e.top_cpu = x.v[2] / 10.0;
    e.tcp_established = x.v[3];
    e.tcp_listen = x.v[4];
    e.tcp_time_wait = x.v[5];
    e.tcp_close_wait = x.v[6];
    e.udp = x.v[7];
    e.unix_ = x.v[8];
    e.opens_exact = x.v[9];
    e.opened = x.v[10];
    e.closed = x.v[11];
    e.top_name = x.name;
    for (auto c : x.cores) e.per_core.push_back(c / 10.0);
    return e;
}

class Reference {
public:
    explicit Reference(std::size_t cap) : cap_(cap) {}
    HistoryRing::Insert insert(const Expected& x) {
        auto it = std::lower_bound(pts_.begin(), pts_.end(), x.seq,
                                   [](const Expected& p, std::uint32_t s) { return p.seq < s; });
        if (it != pts_.end() && it->seq == x.seq) return HistoryRing::Insert::duplicate;
        bool append = it == pts_.end();
        if (pts_.size() == cap_) {
            if (it == pts_.begin()) return HistoryRing::Insert::too_old;
            auto pos = it - pts_.begin() - 1;
            pts_.erase(pts_.begin());
            it = pts_.begin() + pos;
        }
        pts_.insert(it, x);
        return append ? HistoryRing::Insert::appended : HistoryRing::Insert::inserted;
    }
    const std::vector<Expected>& points() const { return pts_; }

private:
    std::size_t cap_;
    std::vector<Expected> pts_;
};

void check_matches(const HistoryRing& ring, const Reference& ref, std::size_t core_points) {
    const auto& want = ref.points();
    BOOST_REQUIRE(ring.size() == want.size());
    auto cols = ring.columns(std::numeric_limits<std::int64_t>::min());
    BOOST_REQUIRE(cols.seq.size() == want.size());
    const std::size_t first_core = want.size() > core_points ? want.size() - core_points : 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto& x = want[i];
        auto e = ring.at(i);
        BOOST_TEST_REQUIRE(e.seq == x.seq, "seq at " << i);
        BOOST_TEST_REQUIRE(e.ts_ms == x.ts_ms, "ts at " << i);
        BOOST_TEST_REQUIRE(e.top_name == x.name, "name at " << i);
        const std::uint32_t got[13] = {static_cast<std::uint32_t>(std::lround(e.cpu * 10)),
                                       static_cast<std::uint32_t>(std::lround(e.load1 * 100)),
                                       static_cast<std::uint32_t>(std::lround(e.top_cpu * 10)),
                                       e.tcp_established, e.tcp_listen, e.tcp_time_wait, e.tcp_close_wait, e.udp, e.unix_,
                                       static_cast<std::uint32_t>(e.opens_exact), e.opened, e.closed, 0};
        for (std::size_t f = 0; f < 12; ++f) BOOST_TEST_REQUIRE(got[f] == x.v[f], "field " << f << " at " << i);
        BOOST_TEST_REQUIRE(cols.ts_ms[i] == x.ts_ms);
        BOOST_TEST_REQUIRE(cols.seq[i] == x.seq);
        BOOST_TEST_REQUIRE(std::lround(cols.cpu[i] * 10) == x.v[0]);
        BOOST_TEST_REQUIRE(std::lround(cols.load1[i] * 100) == x.v[1]);
        BOOST_TEST_REQUIRE(std::lround(cols.top_cpu[i] * 10) == x.v[2]);
        BOOST_TEST_REQUIRE(cols.tcp_established[i] == x.v[3]);
        BOOST_TEST_REQUIRE(cols.tcp_listen[i] == x.v[4]);
        BOOST_TEST_REQUIRE(cols.tcp_time_wait[i] == x.v[5]);
        BOOST_TEST_REQUIRE(cols.tcp_close_wait[i] == x.v[6]);
        BOOST_TEST_REQUIRE(cols.udp[i] == x.v[7]);
        BOOST_TEST_REQUIRE(cols.unix_[i] == x.v[8]);
        BOOST_TEST_REQUIRE(cols.opens_exact[i] == x.v[9]);
        BOOST_TEST_REQUIRE(cols.opened[i] == x.v[10]);
        BOOST_TEST_REQUIRE(cols.closed[i] == x.v[11]);
        BOOST_TEST_REQUIRE(cols.top_name[i] == x.name);
        if (i >= first_core) {
            BOOST_REQUIRE(e.per_core.size() == x.cores.size());
            for (std::size_t c = 0; c < x.cores.size(); ++c)
                BOOST_TEST_REQUIRE(std::lround(e.per_core[c] * 10) == x.cores[c], "core " << c << " at " << i);
        } else {
            BOOST_TEST_REQUIRE(e.per_core.empty());
        }
    }
    auto spark = ring.recent_cpu(700);
    BOOST_REQUIRE(spark.size() == std::min<std::size_t>(700, want.size()));
    for (std::size_t i = 0; i < spark.size(); ++i)
        BOOST_TEST_REQUIRE(std::lround(spark[i] * 10) == want[want.size() - spark.size() + i].v[0]);
}

// Either a small step from the previous value or, now and then, anywhere in 0..65535.
std::uint16_t wander(std::mt19937& rng, std::uint16_t prev, int step, unsigned jump_per_mille) {
    if (rng() % 1000 < jump_per_mille) return static_cast<std::uint16_t>(rng() % 3 == 0 ? (rng() % 2) * 65535 : rng());
    int v = prev + static_cast<int>(rng() % (2 * step + 1)) - step;
    return static_cast<std::uint16_t>(std::clamp(v, 0, 65535));
}

// Samples as an agent sends them: `jumps` per mille of full-range values,
// ts jitter, names that change now and then.
class Generator {
public:
    Generator(unsigned seed, unsigned jumps, std::size_t cores) : rng_(seed), jumps_(jumps) {
        prev_.seq = 0;
        prev_.ts_ms = 1'763'800'000'000;
        std::fill(std::begin(prev_.v), std::end(prev_.v), 0);
        prev_.v[0] = 300;
        prev_.v[1] = 150;
        prev_.v[3] = 120;
        prev_.v[4] = 12;
        prev_.v[8] = 300;
        prev_.cores.assign(cores, 100);
    }
    Expected next(std::uint32_t seq) {
        static const char* names[] = {"nginx", "postgres", "java", "node", "kworker/0:1", "systemd-journald"};
        Expected x = prev_;
        x.seq = seq;
        x.ts_ms = 1'763'800'000'000 + static_cast<std::int64_t>(seq) * 1000 + static_cast<std::int64_t>(rng_() % 41) - 20;
        const int steps[12] = {40, 3, 300, 3, 0, 4, 1, 0, 1, 0, 0, 0};
        for (std::size_t f = 0; f < 12; ++f) x.v[f] = wander(rng_, prev_.v[f], steps[f], jumps_);
        // Churn is a count per interval, not a level: small and noisy.
        x.v[9] = rng_() % 1000 < jumps_ ? x.v[9] : static_cast<std::uint16_t>(rng_() % 30);
        x.v[10] = rng_() % 1000 < jumps_ ? x.v[10] : static_cast<std::uint16_t>(rng_() % 8);
        x.v[11] = rng_() % 1000 < jumps_ ? x.v[11] : static_cast<std::uint16_t>(rng_() % 8);
        x.v[0] = std::min<std::uint16_t>(x.v[0], 1000);  // a percentage, whatever the jumps
        if (rng_() % 20 == 0) x.name = names[rng_() % std::size(names)];
        for (auto& c : x.cores) c = wander(rng_, c, 50, 0) % 1001;
        prev_ = x;
        return x;
    }
    std::mt19937& rng() { return rng_; }

private:
    std::mt19937 rng_;
    unsigned jumps_;
    Expected prev_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(packed_history_round_trips_against_a_reference) {
    constexpr std::size_t cap = 3600, core_points = 600;
    HistoryRing ring(cap, 256, core_points);
    Reference ref(cap);
    Generator gen(2024, 50, 8);
    std::vector<Expected> skipped;
    std::uint32_t seq = 0;
    for (int n = 0; n < 5000; ++n) {
        seq += 1;
        if (gen.rng()() % 20 == 0) {  // a gap of 1..4 samples, some of them backfilled later
            for (int g = 1 + static_cast<int>(gen.rng()() % 4); g > 0; --g) skipped.push_back(gen.next(seq++));
        }
        auto x = gen.next(seq);
        BOOST_TEST_REQUIRE((ring.insert(to_entry(x)) == ref.insert(x)));
        if (n % 97 == 0 && !skipped.empty()) {  // backfill anywhere in the hour, packed or plain
            auto k = gen.rng()() % skipped.size();
            auto b = skipped[k];
            skipped.erase(skipped.begin() + static_cast<std::ptrdiff_t>(k));
            BOOST_TEST_REQUIRE((ring.insert(to_entry(b)) == ref.insert(b)));
        }
        if (n % 251 == 0 && ref.points().size() > 10) {  // a replayed sample already held
            auto d = ref.points()[gen.rng()() % ref.points().size()];
            BOOST_TEST_REQUIRE((ring.insert(to_entry(d)) == HistoryRing::Insert::duplicate));
        }
    }
    check_matches(ring, ref, core_points);
}

BOOST_AUTO_TEST_CASE(backfill_and_duplicates_inside_packed_blocks) {
    HistoryRing ring(3600, 256, 600);
    Reference ref(3600);
    Generator gen(5, 0, 2);
    for (std::uint32_t s = 2; s <= 1000; s += 2) {  // every odd seq missing
        auto x = gen.next(s);
        ring.insert(to_entry(x));
        ref.insert(x);
    }
    // seq 101 sits between packed points 100 and 102 (the newest ~32-160 points are plain).
    for (std::uint32_t s : {101u, 1u, 3u, 255u, 257u, 259u}) {
        auto x = gen.next(s);
        BOOST_TEST((ring.insert(to_entry(x)) == HistoryRing::Insert::inserted));
        ref.insert(x);
    }
    for (std::uint32_t s : {2u, 100u, 101u, 256u, 1u}) {
        BOOST_TEST((ring.insert(to_entry(gen.next(s))) == HistoryRing::Insert::duplicate));
    }
    BOOST_TEST(ring.size() == 506u);
    // Enough backfill into one block that it splits.
    for (std::uint32_t s = 261; s < 700; s += 2) {
        auto x = gen.next(s);
        BOOST_TEST_REQUIRE((ring.insert(to_entry(x)) == HistoryRing::Insert::inserted));
        ref.insert(x);
    }
    check_matches(ring, ref, 600);
}

BOOST_AUTO_TEST_CASE(a_full_packed_ring_drops_one_point_at_a_time) {
    HistoryRing ring(1000, 256, 100);
    Reference ref(1000);
    Generator gen(9, 10, 4);
    for (std::uint32_t s = 1; s <= 2500; s += (s % 10 == 0 ? 2 : 1)) {
        auto x = gen.next(s);
        ring.insert(to_entry(x));
        ref.insert(x);
        BOOST_TEST_REQUIRE(ring.size() == std::min<std::size_t>(ref.points().size(), 1000));
    }
    // The oldest point is in a block that has already lost some: backfill there, and older.
    auto oldest = ref.points().front().seq;
    auto hole = oldest + (10 - oldest % 10) + 1;  // seqs ending in 1 are missing
    BOOST_REQUIRE(hole < ref.points()[200].seq);
    auto x = gen.next(hole);
    BOOST_TEST((ring.insert(to_entry(x)) == HistoryRing::Insert::inserted));
    ref.insert(x);
    BOOST_TEST((ring.insert(to_entry(gen.next(oldest - 1))) == HistoryRing::Insert::too_old));
    check_matches(ring, ref, 100);
}

BOOST_AUTO_TEST_CASE(name_compaction_keeps_names_only_packed_blocks_hold) {
    HistoryRing ring(3600);
    std::vector<std::string> want;
    auto add = [&](std::uint64_t s, std::string name) {
        ring.insert(entry(s, 5, name));
        want.push_back(std::move(name));
        if (want.size() > 3600) want.erase(want.begin());
    };
    // Old names end up in blocks only; then enough new ones that the table
    // (capacity + 64 names) fills and compacts, twice.
    for (std::uint64_t s = 1; s <= 300; ++s) add(s, "old-" + std::to_string(s));
    for (std::uint64_t s = 301; s <= 3600 + 200; ++s) add(s, "new-" + std::to_string(s));
    BOOST_REQUIRE(ring.size() == 3600u);
    for (std::size_t i = 0; i < want.size(); ++i) BOOST_TEST_REQUIRE(ring.at(i).top_name == want[i], "point " << i);
    auto cols = ring.columns(0);
    BOOST_TEST(cols.top_name == want, boost::test_tools::per_element());
    BOOST_TEST(ring.at(0).top_name == "old-201");
}

BOOST_AUTO_TEST_CASE(a_clock_jump_back_rebases_without_moving_packed_points) {
    HistoryRing ring(3600);
    for (std::uint64_t s = 1; s <= 1000; ++s) ring.insert(entry(s));
    ring.begin_instance();
    auto back = entry(1);
    back.ts_ms -= 10LL * 24 * 3600 * 1000;  // ten days earlier: below the base, which moves
    BOOST_TEST((ring.insert(back) == HistoryRing::Insert::appended));
    for (std::size_t i : {0u, 500u, 999u}) BOOST_TEST(ring.at(i).ts_ms == entry(i + 1).ts_ms);
    BOOST_TEST(ring.at(1000).ts_ms == back.ts_ms);
    auto cols = ring.columns(entry(990).ts_ms);
    BOOST_TEST(cols.seq.size() == 11u);
    BOOST_TEST(cols.ts_ms.front() == entry(990).ts_ms);
}

BOOST_AUTO_TEST_CASE(an_hour_with_eight_cores_fits_55_kb) {
    HistoryRing ring(3600);
    Generator gen(11, 0, 8);
    for (std::uint32_t s = 1; s <= 2 * 3600; ++s) ring.insert(to_entry(gen.next(s)));
    BOOST_REQUIRE(ring.size() == 3600u);
    BOOST_REQUIRE(ring.cores() == 8u);
    const auto bytes = ring.memory_bytes();
    BOOST_TEST_MESSAGE("history bytes, 3600 realistic points, 8 cores: " << bytes);
    BOOST_TEST(bytes <= 55'000u);
}

BOOST_AUTO_TEST_CASE(unsaved_points_are_taken_once_with_their_own_names) {
    HistoryRing ring(400);
    for (std::uint64_t s = 1; s <= 300; ++s) ring.insert(entry(s, 10, s % 2 ? "odd" : "even"));
    BOOST_TEST(ring.unsaved() == 300u);
    telehub::hub::PointBatch b;
    BOOST_REQUIRE(ring.take_unsaved(b));
    BOOST_TEST(b.points.size() == 300u);  // from packed blocks and plain points alike
    BOOST_TEST(b.points.front().seq == 1u);
    BOOST_TEST(b.points.back().seq == 300u);
    BOOST_TEST(b.names == (std::vector<std::string>{"odd", "even"}), boost::test_tools::per_element());
    BOOST_TEST(b.names[b.points[1].top_name] == "even");
    BOOST_TEST(b.base_ts_ms + b.points.back().ts_offset_ms == entry(300).ts_ms);
    BOOST_TEST(ring.unsaved() == 0u);
    BOOST_TEST(!ring.take_unsaved(b));
    // A backfilled point among taken ones and a new one both go out next time.
    ring.insert(entry(302));
    BOOST_TEST((ring.insert(entry(301)) == HistoryRing::Insert::inserted));  // lands in the unsaved tail
    ring.begin_instance();
    BOOST_REQUIRE(ring.take_unsaved(b));
    std::vector<std::uint32_t> seqs;
    for (const auto& p : b.points) seqs.push_back(p.seq);
    BOOST_TEST(seqs == (std::vector<std::uint32_t>{301, 302}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_point_backfilled_among_saved_ones_is_kept_aside_for_the_next_take) {
    HistoryRing ring(400);
    for (std::uint64_t s : {1, 2, 4, 5}) ring.insert(entry(s));
    telehub::hub::PointBatch b;
    ring.take_unsaved(b);
    BOOST_TEST((ring.insert(entry(3)) == HistoryRing::Insert::inserted));
    BOOST_TEST(ring.unsaved() == 1u);
    BOOST_REQUIRE(ring.take_unsaved(b));
    BOOST_REQUIRE(b.points.size() == 1u);
    BOOST_TEST(b.points[0].seq == 3u);
    BOOST_TEST(b.names[b.points[0].top_name] == "nginx");
    BOOST_TEST(ring.oldest_ts().value() == entry(1).ts_ms);
}

// append_touches names the memory the next live insert reads and writes, for
// the registry to prefetch: the newest point and the per-core row the insert
// fills, whether the per-core ring is growing or already full.
BOOST_AUTO_TEST_CASE(append_touches_name_the_memory_the_next_insert_uses) {
    for (std::size_t core_points : {5u, 100u}) {
        HistoryRing ring(50, 256, core_points);
        BOOST_TEST(ring.append_touches()[0].empty());
        std::size_t rows_checked = 0;
        for (std::uint64_t seq = 1; seq <= 200; ++seq) {
            const auto touches = ring.append_touches();
            if (seq > 1) {
                BOOST_REQUIRE(touches[0].size() == sizeof(telehub::hub::HistoryPoint));
                const auto* newest = reinterpret_cast<const telehub::hub::HistoryPoint*>(touches[0].data());
                BOOST_TEST(newest->seq == seq - 1);
            }
            const double cpu = static_cast<double>(seq % 90) + 1;
            ring.insert(entry(seq, cpu));
            if (touches[1].empty()) continue;
            // The row is two cores of tenths of a percent: {cpu, cpu / 2}.
            BOOST_REQUIRE(touches[1].size() == 2 * sizeof(std::uint16_t));
            std::uint16_t row[2];
            std::memcpy(row, touches[1].data(), sizeof row);
            BOOST_TEST(row[0] == static_cast<std::uint16_t>(std::lround(cpu * 10)), "seq " << seq);
            ++rows_checked;
        }
        // Only inserts that grow the ring (the first 50 here: the history holds 50) have no row to name.
        BOOST_TEST(rows_checked >= 150u, "core_points " << core_points << ": " << rows_checked);
    }
}
