#include "hub/notify/notify.hpp"

#define BOOST_TEST_MODULE retry_policy
#include <boost/test/unit_test.hpp>

using namespace telehub::hub;

BOOST_AUTO_TEST_CASE(doubles_from_a_second_up_to_the_ceiling) {
    RetryPolicy p{1000, 10'000, 600'000};
    const std::int64_t want[] = {1000, 2000, 4000, 8000, 10'000, 10'000};
    for (int failures = 1; failures <= 6; ++failures) BOOST_TEST(retry_delay_ms(p, failures) == want[failures - 1]);
    BOOST_TEST(retry_delay_ms(p, 1000) == 10'000);  // no overflow for a long outage
}

BOOST_AUTO_TEST_CASE(gives_up_after_retry_for) {
    RetryPolicy p{1000, 60'000, 30'000};
    const std::int64_t first = 1'000'000;
    // Attempts at 0, 1, 3, 7, 15 s, then the next would be at 31 s: squeezed in at 30 s.
    std::int64_t now = first;
    std::vector<std::int64_t> at;
    for (int failures = 1;; ++failures) {
        auto next = next_attempt_ms(p, failures, first, now);
        if (!next) break;
        BOOST_TEST(*next > now);
        now = *next;
        at.push_back(now - first);
    }
    BOOST_TEST(at == (std::vector<std::int64_t>{1000, 3000, 7000, 15'000, 30'000}), "attempts");
    BOOST_TEST(!next_attempt_ms(p, 1, first, first + 30'000).has_value());
}
