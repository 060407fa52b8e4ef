// Waiting for a condition with a deadline, never a bare sleep.
#pragma once

#include <chrono>
#include <thread>

namespace telehub::test {

// Polls `pred` every `step` until it returns true (-> true) or `timeout`
// passes (-> false).
template <class Pred>
bool wait_until(Pred&& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(step);
    }
}

}  // namespace telehub::test
