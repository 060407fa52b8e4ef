// With --cluster, what /metrics adds about the cluster (docs/cluster.md):
// whether this hub's Redis links are up, and each other hub as last heard.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace telehub::hub {

struct ClusterFacts {
    bool redis_up = false;
    struct Peer {
        std::string hub;
        std::uint64_t hosts = 0;  // in its last fleet message
        bool live = false;        // heard within the grace
        double age_seconds = 0;   // since that message
    };
    std::vector<Peer> peers;
};

// Appends the telehub_cluster_* families to a /metrics body.
void append_cluster_metrics(std::string& out, const ClusterFacts& facts);

}  // namespace telehub::hub
