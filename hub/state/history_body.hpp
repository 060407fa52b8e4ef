// The body of GET /api/hosts/{id}/history (docs/protocol.md): a host's points
// held in memory as columns and, when the query reaches further back, the
// store's one-minute tier before them. Megabytes for a long query, so it is
// written straight into one string (on the hub's background thread).
#pragma once

#include <string>
#include <vector>

#include "hub/history/history.hpp"
#include "hub/state/host_registry.hpp"

namespace telehub::hub {

// `minutes`: null when the query stays within memory or no store is on
// ("minutes": null), else the minute rows, oldest first.
std::string history_body(const HostHistory& history, const std::vector<MinuteRow>* minutes);

}  // namespace telehub::hub
