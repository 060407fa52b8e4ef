// Hosts this hub does not hold but shows: those of the other hubs of a
// cluster (hub/cluster, docs/cluster.md). The lists this hub serves
// (GET /api/hosts, the dashboards' summaries) ask it to add them; without
// --cluster there is none and nothing changes.
#pragma once

#include <memory>
#include <vector>

#include "hub/state/host_filter.hpp"
#include "hub/state/host_summary.hpp"

namespace telehub::hub {

class HostRegistry;

class RemoteHosts {
public:
    // The other hubs' hosts joined against this hub's presence once, then
    // merged into as many lists as the caller has filters (one per distinct
    // dashboard filter, once a second).
    class View {
    public:
        virtual ~View() = default;
        // `rows` are this hub's hosts that `filter` matches, sorted by host
        // id, and `counts` this hub's counts. Adds the other hubs' hosts (a
        // host online here, or online on a hub whose message is newer, is
        // shown once), marks every row with the hub that holds it, keeps the order.
        virtual void merge(std::vector<HostSummary>& rows, HostCounts& counts, const HostFilter& filter) const = 0;
    };

    virtual ~RemoteHosts() = default;
    virtual std::unique_ptr<const View> view(const HostRegistry& local) const = 0;
};

}  // namespace telehub::hub
