// Reconnect delays: exponential growth with jitter, so that a thousand agents
// that lost the same hub do not come back in the same millisecond.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace telehub::agent {

enum class Jitter {
    full,   // uniform in [0, ceiling]: spreads best, may retry at once
    equal,  // uniform in [ceiling/2, ceiling]: never retries sooner than half the ceiling
};

struct BackoffPolicy {
    std::chrono::milliseconds initial{500};  // ceiling of the first delay
    double factor = 2.0;                     // ceiling growth per failed attempt
    std::chrono::milliseconds cap{30000};    // no delay ever exceeds 30 s
    Jitter jitter = Jitter::equal;           // a down hub never sees a tight retry loop
};

class Backoff {
public:
    // `seed` makes the jitter reproducible in tests; agents pass a random one.
    explicit Backoff(BackoffPolicy policy = {}, std::uint64_t seed = std::random_device{}());

    // The delay before the next attempt; each call raises the ceiling by
    // `factor` until it reaches `cap`.
    std::chrono::milliseconds next();
    // After a connection that proved healthy: the next delay starts from `initial` again.
    void reset();

    // The upper bound of the delay next() would return now.
    std::chrono::milliseconds ceiling() const;
    // Failed attempts counted since the last reset (stops counting at the cap).
    unsigned attempts() const { return attempts_; }

private:
    BackoffPolicy policy_;
    std::mt19937_64 rng_;
    unsigned attempts_ = 0;
};

}  // namespace telehub::agent
