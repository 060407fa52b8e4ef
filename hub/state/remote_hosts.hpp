// Hosts this hub does not hold but shows: those of the other hubs of a
// cluster (hub/cluster, docs/cluster.md). The lists this hub serves
// (GET /api/hosts, the dashboards' summaries) ask it to add them; without
// --cluster there is none and nothing changes.
#pragma once

#include <vector>

#include "hub/state/host_filter.hpp"
#include "hub/state/host_summary.hpp"

namespace telehub::hub {

class HostRegistry;

class RemoteHosts {
public:
    virtual ~RemoteHosts() = default;
    // `rows` are this hub's hosts that `filter` matches, sorted by host id,
    // and `counts` this hub's counts. Adds the other hubs' hosts (a host
    // online here, or online on a hub whose message is newer, is shown
    // once), marks every row with the hub that holds it, keeps the order.
    virtual void merge(std::vector<HostSummary>& rows, HostCounts& counts, const HostFilter& filter,
                       const HostRegistry& local) const = 0;
};

}  // namespace telehub::hub
