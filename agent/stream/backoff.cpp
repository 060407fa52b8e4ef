#include "agent/stream/backoff.hpp"

#include <algorithm>

namespace telehub::agent {

Backoff::Backoff(BackoffPolicy policy, std::uint64_t seed) : policy_(policy), rng_(seed) {
    // A policy that would never grow, or start above its cap, is a caller's
    // mistake; clamp it rather than loop at zero delay.
    if (policy_.initial.count() < 1) policy_.initial = std::chrono::milliseconds(1);
    if (policy_.cap < policy_.initial) policy_.cap = policy_.initial;
    if (!(policy_.factor >= 1.0)) policy_.factor = 1.0;
}

std::chrono::milliseconds Backoff::ceiling() const {
    // Multiplied up to the cap rather than std::pow: the agent then needs
    // nothing from libm, whose mapping alone is half a megabyte of its RSS.
    // A double stopped at the cap cannot overflow in a long outage.
    const double cap = static_cast<double>(policy_.cap.count());
    double ms = static_cast<double>(policy_.initial.count());
    for (unsigned i = 0; i < attempts_ && ms < cap && policy_.factor > 1.0; ++i) ms *= policy_.factor;
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(ms, cap)));
}

std::chrono::milliseconds Backoff::next() {
    std::int64_t top = ceiling().count();
    std::int64_t low = policy_.jitter == Jitter::equal ? top / 2 : 0;
    std::uniform_int_distribution<std::int64_t> pick(low, top);
    if (ceiling() < policy_.cap) ++attempts_;
    return std::chrono::milliseconds(pick(rng_));
}

void Backoff::reset() { attempts_ = 0; }

}  // namespace telehub::agent
