#include "hub/state/host_filter.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace telehub::hub {
namespace {

bool contains_ci(std::string_view hay, std::string_view needle_lower) {
    if (needle_lower.size() > hay.size()) return false;
    for (std::size_t i = 0; i + needle_lower.size() <= hay.size(); ++i) {
        std::size_t j = 0;
        while (j < needle_lower.size() &&
               std::tolower(static_cast<unsigned char>(hay[i + j])) == static_cast<unsigned char>(needle_lower[j]))
            ++j;
        if (j == needle_lower.size()) return true;
    }
    return false;
}

}  // namespace

bool HostFilter::matches(const HostSummary& s) const {
    if (min_cpu && s.cpu < *min_cpu) return false;
    if (max_cpu && s.cpu > *max_cpu) return false;
    if (!q.empty() && !contains_ci(s.host_id, q) && !contains_ci(s.hostname, q)) return false;
    if (!container.empty() &&
        std::find(s.container_names.begin(), s.container_names.end(), container) == s.container_names.end())
        return false;
    return true;
}

std::string HostFilter::key() const {
    auto num = [](const std::optional<double>& v) { return v ? std::to_string(*v) : std::string("-"); };
    // The container name last: '|' may appear in q but the key stays unambiguous with its length.
    return num(min_cpu) + "|" + num(max_cpu) + "|" + std::to_string(q.size()) + ":" + q + "|" + container;
}

}  // namespace telehub::hub
