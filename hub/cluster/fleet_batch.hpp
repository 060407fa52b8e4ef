// The message each hub publishes once a second on the cluster's fleet
// channel (docs/cluster.md): its name, its clock and the summaries of the
// hosts it holds online, as GET /api/hosts writes them:
//   {"hub":"A","ts_ms":..,"high_cpu":..,"counts":{..},"hosts":[summary, ...]}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hub/state/state.hpp"

namespace telehub::hub {

struct FleetBatch {
    std::string hub;
    std::int64_t ts_ms = 0;
    std::vector<HostSummary> hosts;
};

struct FleetBatchError {
    std::string message;
};

std::string encode_fleet_batch(std::string_view hub, std::int64_t ts_ms, double high_cpu,
                               const std::vector<HostSummary>& hosts);

// Anything but a batch another telehub wrote is refused with why.
std::variant<FleetBatch, FleetBatchError> decode_fleet_batch(std::string_view text);

}  // namespace telehub::hub
