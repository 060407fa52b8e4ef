// Which hosts a client wants: a CPU range and a name substring (parsed by
// api/filter_params.hpp from a query string or a subscribe message).
#pragma once

#include <optional>
#include <string>

#include "hub/state/host_summary.hpp"

namespace telehub::hub {

struct HostFilter {
    std::optional<double> min_cpu;
    std::optional<double> max_cpu;
    std::string q;  // lower-cased; matches a substring of host_id or hostname
    std::string container;  // exact name of a container the host's latest sample lists; empty: any

    bool matches(const HostSummary& s) const;
    // Equal filters give equal keys, so clients can share one summaries frame.
    std::string key() const;
};

}  // namespace telehub::hub
