// Timing for the in-process bench programs: one call's wall time, and the
// median of runs.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace telehub::bench {

template <class F>
double seconds_of(F&& f) {
    auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace telehub::bench
