// The GET /metrics body (docs/protocol.md, "Prometheus"): every host's
// latest numbers and the hub's own counters, in the text exposition format.
// Pure: fed a copy of the registry's hosts, so it runs on any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hub/log/log.hpp"
#include "hub/state/state.hpp"

namespace telehub::hub {

// What the hub knows beside HubStats.
struct HubFacts {
    std::uint64_t log_lines_dropped = 0;
    std::int64_t started_ms = 0;  // unix ms
    double previous_build_seconds = 0;  // the last /metrics body's build time
};

std::string build_metrics_body(const std::vector<HostMetrics>& hosts, const HubStats& stats, const HubFacts& facts);

}  // namespace telehub::hub
