// When a failed notification is tried again: exponential backoff from one
// second, doubling up to the notification's ceiling, until `retry_for` after
// the first attempt; then it has failed.
#pragma once

#include <cstdint>
#include <optional>

namespace telehub::hub {

struct RetryPolicy {
    std::int64_t first_delay_ms = 1000;
    std::int64_t max_delay_ms = 60'000;
    std::int64_t retry_for_ms = 600'000;
};

// The delay after the `failures`-th failed attempt (1, 2, ...): 1 s, 2 s, 4 s, ... capped.
std::int64_t retry_delay_ms(const RetryPolicy& p, int failures);

// When to try again after `failures` failed attempts, the first made at
// `first_ms`, the last ending at `now_ms`; nullopt when the next try would
// start past first_ms + retry_for (give up). A last try is squeezed in at the
// deadline rather than given up a long delay early.
std::optional<std::int64_t> next_attempt_ms(const RetryPolicy& p, int failures, std::int64_t first_ms, std::int64_t now_ms);

}  // namespace telehub::hub
