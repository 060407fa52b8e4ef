#include "hub/state/leak_changes.hpp"

#include <algorithm>

namespace telehub::hub {
namespace {

bool holds(const std::vector<LeakSuspect>& list, const LeakSuspect& s) {
    return std::any_of(list.begin(), list.end(),
                       [&](const LeakSuspect& x) { return x.pid == s.pid && x.reason == s.reason; });
}

}  // namespace

LeakChanges leak_changes(const std::vector<LeakSuspect>& before, const std::vector<LeakSuspect>& after) {
    LeakChanges out;
    for (const auto& s : after)
        if (!holds(before, s)) out.appeared.push_back(s);
    for (const auto& s : before)
        if (!holds(after, s)) out.cleared.push_back(s);
    return out;
}

}  // namespace telehub::hub
