#include "agent/stream/backoff.hpp"

#define BOOST_TEST_MODULE backoff
#include <boost/test/unit_test.hpp>

#include <set>

using namespace telehub::agent;
using std::chrono::milliseconds;

BOOST_AUTO_TEST_CASE(ceiling_doubles_from_half_a_second_up_to_the_cap) {
    Backoff b(BackoffPolicy{}, 1);
    std::vector<long> ceilings;
    for (int i = 0; i < 10; ++i) {
        ceilings.push_back(b.ceiling().count());
        b.next();
    }
    std::vector<long> expected{500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000};
    BOOST_TEST(ceilings == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(equal_jitter_stays_between_half_and_the_ceiling) {
    Backoff b(BackoffPolicy{}, 42);
    for (int i = 0; i < 200; ++i) {
        auto top = b.ceiling();
        auto d = b.next();
        BOOST_TEST(d.count() >= top.count() / 2);
        BOOST_TEST(d.count() <= top.count());
        BOOST_TEST(d.count() <= 30000);
    }
}

BOOST_AUTO_TEST_CASE(full_jitter_stays_within_zero_and_the_ceiling_and_varies) {
    BackoffPolicy p;
    p.jitter = Jitter::full;
    Backoff b(p, 7);
    for (int i = 0; i < 10; ++i) b.next();  // reach the cap
    std::set<long> seen;
    bool below_half = false;
    for (int i = 0; i < 200; ++i) {
        auto d = b.next();
        BOOST_TEST(d.count() >= 0);
        BOOST_TEST(d.count() <= 30000);
        below_half = below_half || d.count() < 15000;
        seen.insert(d.count());
    }
    // Jitter that does not spread is no jitter: 200 draws over 30 s give many values.
    BOOST_TEST(seen.size() > 100u);
    BOOST_TEST(below_half);
}

BOOST_AUTO_TEST_CASE(same_seed_same_delays_other_seed_other_delays) {
    Backoff a(BackoffPolicy{}, 99), b(BackoffPolicy{}, 99), c(BackoffPolicy{}, 100);
    std::vector<long> da, db, dc;
    for (int i = 0; i < 12; ++i) {
        da.push_back(a.next().count());
        db.push_back(b.next().count());
        dc.push_back(c.next().count());
    }
    BOOST_TEST(da == db, boost::test_tools::per_element());
    BOOST_TEST((da != dc));
}

BOOST_AUTO_TEST_CASE(reset_starts_again_from_the_initial_delay) {
    Backoff b(BackoffPolicy{}, 3);
    for (int i = 0; i < 8; ++i) b.next();
    BOOST_TEST(b.ceiling().count() == 30000);
    b.reset();
    BOOST_TEST(b.ceiling().count() == 500);
    auto d = b.next();
    BOOST_TEST(d.count() >= 250);
    BOOST_TEST(d.count() <= 500);
}

BOOST_AUTO_TEST_CASE(thousands_of_failures_never_overflow_past_the_cap) {
    Backoff b(BackoffPolicy{}, 5);
    for (int i = 0; i < 5000; ++i) {
        auto d = b.next();
        BOOST_REQUIRE(d.count() >= 0);
        BOOST_REQUIRE(d.count() <= 30000);
    }
    BOOST_TEST(b.ceiling().count() == 30000);
}

BOOST_AUTO_TEST_CASE(nonsense_policy_is_clamped_not_looped_at_zero) {
    BackoffPolicy p;
    p.initial = milliseconds(0);
    p.factor = 0.5;
    p.cap = milliseconds(0);
    Backoff b(p, 1);
    BOOST_TEST(b.ceiling().count() >= 1);
    for (int i = 0; i < 5; ++i) BOOST_TEST(b.next().count() <= b.ceiling().count());
}
