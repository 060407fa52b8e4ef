#include "hub/metrics/cluster_metrics.hpp"

#include "hub/metrics/exposition.hpp"

namespace telehub::hub {

void append_cluster_metrics(std::string& out, const ClusterFacts& facts) {
    Exposition x(out);
    x.family("telehub_cluster_up", MetricType::gauge, "1 while both of this hub's Redis links are up (--cluster), else 0.");
    x.sample("telehub_cluster_up", "", std::uint64_t{facts.redis_up ? 1u : 0u});
    x.family("telehub_cluster_peer_hosts", MetricType::gauge, "Hosts online in another hub's last fleet message.");
    for (const auto& p : facts.peers) x.sample("telehub_cluster_peer_hosts", "", {"hub", p.hub}, p.hosts);
    x.family("telehub_cluster_peer_live", MetricType::gauge, "1 while another hub has been heard within the grace, else 0.");
    for (const auto& p : facts.peers) x.sample("telehub_cluster_peer_live", "", {"hub", p.hub}, std::uint64_t{p.live ? 1u : 0u});
    x.family("telehub_cluster_peer_age_seconds", MetricType::gauge, "Seconds since another hub's last fleet message.");
    for (const auto& p : facts.peers) x.sample("telehub_cluster_peer_age_seconds", "", {"hub", p.hub}, p.age_seconds);
}

}  // namespace telehub::hub
