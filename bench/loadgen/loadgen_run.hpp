// A whole load-generator run: reach the hub (or start one), connect the
// dashboards, grow the fleet step by step (one step unless --ramp), measure
// a window at each step, stop everything it started. Progress goes to
// stderr; the caller prints the results.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/loadgen_options.hpp"
#include "loadgen/window_report.hpp"

namespace telehub::loadgen {

struct RunResult {
    std::vector<WindowResult> windows;
    std::optional<std::size_t> max_sustained;  // --ramp: largest agent count that kept up
    std::string hub;                           // ADDR:PORT measured
    std::optional<int> hub_pid;
    std::vector<std::string> errors;           // distinct errors seen, with counts
    std::string stopped_early;                 // why the run ended before its last step, if it did
};

// Throws std::runtime_error for start-up failures (no hub, fd limits).
// `interrupted` is polled; when set the run ends at the next check.
RunResult run_loadgen(const LoadgenOptions& o, const std::atomic<bool>& interrupted);

}  // namespace telehub::loadgen
