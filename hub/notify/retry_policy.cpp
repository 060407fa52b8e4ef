#include "hub/notify/retry_policy.hpp"

#include <algorithm>

namespace telehub::hub {

std::int64_t retry_delay_ms(const RetryPolicy& p, int failures) {
    std::int64_t d = std::max<std::int64_t>(p.first_delay_ms, 1);
    for (int i = 1; i < failures && d < p.max_delay_ms; ++i) d *= 2;
    return std::min(d, p.max_delay_ms);
}

std::optional<std::int64_t> next_attempt_ms(const RetryPolicy& p, int failures, std::int64_t first_ms, std::int64_t now_ms) {
    const std::int64_t deadline = first_ms + p.retry_for_ms;
    if (now_ms >= deadline) return std::nullopt;
    return std::min(now_ms + retry_delay_ms(p, failures), deadline);
}

}  // namespace telehub::hub
