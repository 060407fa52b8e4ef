// Which leak suspects appeared and which cleared between two consecutive
// samples of one host. A suspect is identified by (pid, reason): its count and
// evidence change every sample without it being a new suspect.
#pragma once

#include <vector>

#include "telehub/sample.hpp"

namespace telehub::hub {

struct LeakChanges {
    std::vector<LeakSuspect> appeared;  // as in `after`
    std::vector<LeakSuspect> cleared;   // as last seen in `before`
    bool empty() const { return appeared.empty() && cleared.empty(); }
};

// Suspect lists are a handful of entries, so the comparison is quadratic on
// purpose: no allocation when nothing changed.
LeakChanges leak_changes(const std::vector<LeakSuspect>& before, const std::vector<LeakSuspect>& after);

}  // namespace telehub::hub
