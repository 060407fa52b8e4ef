#include "hub/batched_run.hpp"

#include <thread>

namespace telehub::hub {

void batched_run(boost::asio::io_context& ioc, std::chrono::microseconds period) {
    if (period.count() <= 0) {
        ioc.run();
        return;
    }
    using clock = std::chrono::steady_clock;
    auto last = clock::time_point{};  // when the thread last had work
    for (;;) {
        if (ioc.run_one() == 0) return;  // blocks while there is nothing to do
        ioc.poll();
        const auto woke = clock::now();
        const bool busy = woke - last < period;
        last = woke;
        if (!busy) continue;
        // Batches a period apart, each taking what arrived since the one
        // before, until a period brings nothing. A batch that takes longer
        // than a period is followed by the next at once.
        for (auto next = woke + period;;) {
            if (ioc.stopped()) return;
            std::this_thread::sleep_until(next);
            const auto start = clock::now();
            if (ioc.poll() == 0) break;
            last = start;
            next = start + period;
        }
    }
}

}  // namespace telehub::hub
