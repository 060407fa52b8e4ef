// What the other hubs of the cluster hold, from their fleet messages, and
// how it joins this hub's own list (docs/cluster.md, "One fleet view").
// Written by the cluster's thread, read by the summaries thread and the REST
// handlers: one mutex, held only to copy rows.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hub/cluster/fleet_batch.hpp"
#include "hub/state/state.hpp"

namespace telehub::hub {

struct PeerHubInfo {
    std::string hub;
    std::size_t hosts = 0;    // in its last message
    std::int64_t age_ms = 0;  // since that message arrived
    bool live = false;        // heard within the grace
};

class PeerFleet final : public RemoteHosts {
public:
    using Clock = std::function<std::int64_t()>;  // unix ms

    // `grace_ms`: a hub not heard from for longer has its hosts shown
    // offline; `forget_ms`: then dropped.
    PeerFleet(std::string self, std::int64_t grace_ms, std::int64_t forget_ms, Clock clock);

    // A message from another hub (this hub's own are ignored).
    void take(FleetBatch batch);

    std::unique_ptr<const View> view(const HostRegistry& local) const override;

    std::vector<PeerHubInfo> peers() const;
    // The hub whose last message lists `host_id` online (else offline, or gone
    // offline there, the one seen last); nullopt: none.
    std::optional<std::string> holder(const std::string& host_id) const;
    // True when a live hub's last message lists `host_id` online: it moved there.
    bool online_elsewhere(const std::string& host_id) const;
    // The live hub whose last message lists `host_id` online; nullopt: none.
    std::optional<std::string> online_on(const std::string& host_id) const;
    // A DELETE of `host_id` (on any hub): its offline rows of every hub are
    // dropped now, not kept until --forget-after. A row of a hub that still
    // lists it online stays. True when a row was dropped.
    bool forget(const std::string& host_id);
    const std::string& self() const { return self_; }

private:
    struct Peer {
        std::int64_t heard_ms = 0;  // this hub's clock
        std::vector<HostSummary> hosts;
        std::unordered_map<std::string, std::size_t> index;  // host id -> its row in `hosts`
        // Hosts its earlier messages listed and its last one does not: they went
        // offline there (messages carry online hosts only). Shown offline, as the
        // hub itself shows them, until seen again or --forget-after.
        std::unordered_map<std::string, HostSummary> gone;
    };

    const std::string self_;
    const std::int64_t grace_ms_;
    const std::int64_t forget_ms_;
    Clock clock_;
    mutable std::mutex mu_;
    mutable std::map<std::string, Peer> peers_;  // forgotten ones are erased while merging
};

}  // namespace telehub::hub
