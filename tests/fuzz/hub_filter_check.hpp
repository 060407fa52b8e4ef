// What every accepted HostFilter must satisfy, from a query string or a
// subscribe message alike (shared by two fuzz targets).
#pragma once

#include <cctype>
#include <cmath>

#include "hub/state/state.hpp"
#include "tests/fuzz/fuzz_check.hpp"

inline void check_filter(const telehub::hub::HostFilter& f) {
    for (const auto& v : {f.min_cpu, f.max_cpu})
        if (v) FUZZ_CHECK(std::isfinite(*v) && *v >= 0 && *v <= 100);
    if (f.min_cpu && f.max_cpu) FUZZ_CHECK(*f.min_cpu <= *f.max_cpu);
    for (unsigned char c : f.q) FUZZ_CHECK(!std::isupper(c));
}
