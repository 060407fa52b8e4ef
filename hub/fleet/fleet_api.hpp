// GET /api/fleet/processes?sort=cpu|sockets&limit=N (docs/alerts.md, "Fleet
// processes"): a function of the aggregate and the query, no network.
#pragma once

#include <string_view>

#include "hub/fleet/fleet_processes.hpp"
#include "hub/http/http.hpp"

namespace telehub::hub {

HttpReply fleet_processes_reply(const FleetProcesses& fleet, std::string_view query);

}  // namespace telehub::hub
