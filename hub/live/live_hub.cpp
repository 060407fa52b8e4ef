#include "hub/live/live_hub.hpp"

#include <map>

#include "hub/state/state.hpp"

namespace telehub::hub {

std::uint64_t LiveHub::add(std::weak_ptr<LiveSink> sink) {
    std::lock_guard lock(mu_);
    auto id = next_id_++;
    clients_[id].sink = std::move(sink);
    return id;
}

void LiveHub::unindex_detail_locked(std::uint64_t id, const Client& c) {
    for (const auto& host : c.detail) {
        auto d = detail_index_.find(host);
        if (d == detail_index_.end()) continue;
        d->second.erase(id);
        if (d->second.empty()) detail_index_.erase(d);
    }
}

void LiveHub::remove(std::uint64_t id) {
    std::lock_guard lock(mu_);
    auto it = clients_.find(id);
    if (it == clients_.end()) return;
    unindex_detail_locked(id, it->second);
    clients_.erase(it);
}

void LiveHub::subscribe(std::uint64_t id, HostFilter filter, std::vector<std::string> detail) {
    std::lock_guard lock(mu_);
    auto it = clients_.find(id);
    if (it == clients_.end()) return;
    unindex_detail_locked(id, it->second);
    for (const auto& host : detail) detail_index_[host].insert(id);
    it->second.filter = std::move(filter);
    it->second.detail = std::move(detail);
}

std::size_t LiveHub::forward_sample(const std::string& host_id, const std::shared_ptr<const std::string>& frame) {
    std::vector<std::shared_ptr<LiveSink>> to;
    {
        std::lock_guard lock(mu_);
        auto d = detail_index_.find(host_id);
        if (d == detail_index_.end()) return 0;
        for (auto id : d->second) {
            auto c = clients_.find(id);
            if (c == clients_.end()) continue;
            if (auto s = c->second.sink.lock()) to.push_back(std::move(s));
        }
    }
    for (auto& s : to) s->deliver({frame, LiveMessageKind::detail});
    return to.size();
}

std::vector<HostSnapshot> fleet_snapshots(const HostRegistry& registry, const HostFilter& filter,
                                          const RemoteHosts* remote, HostCounts& counts) {
    auto snaps = registry.snapshots(filter);
    counts = registry.counts();
    if (!remote) return snaps;
    std::vector<HostSummary> rows;
    rows.reserve(snaps.size());
    for (const auto& s : snaps) rows.push_back(s.summary);
    remote->view(registry)->merge(rows, counts, filter);
    // The merge keeps this hub's row of a host unless it is offline here and
    // online on another hub: a row still this hub's keeps its spark.
    struct Local {
        bool online;
        std::vector<double> spark;
    };
    std::unordered_map<std::string, Local> local;
    for (auto& s : snaps) local.emplace(s.summary.host_id, Local{s.summary.online, std::move(s.spark)});
    std::vector<HostSnapshot> out;
    out.reserve(rows.size());
    for (auto& r : rows) {
        auto it = local.find(r.host_id);
        const bool ours = it != local.end() && (it->second.online || !r.online);
        out.push_back({std::move(r), ours ? std::move(it->second.spark) : std::vector<double>{}});
    }
    return out;
}

std::vector<std::string> LiveHub::detail_hosts() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    out.reserve(detail_index_.size());
    for (const auto& [host, ids] : detail_index_) out.push_back(host);
    return out;
}

std::size_t LiveHub::broadcast_summaries(const HostRegistry& registry, std::int64_t ts_ms, std::size_t hosts_per_part,
                                         const RemoteHosts* remote) {
    // Group clients by filter so each distinct frame is built once.
    std::map<std::string, std::pair<HostFilter, std::vector<std::shared_ptr<LiveSink>>>> groups;
    {
        std::lock_guard lock(mu_);
        for (auto& [id, c] : clients_) {
            auto s = c.sink.lock();
            if (!s) continue;
            auto& g = groups[c.filter.key()];
            g.first = c.filter;
            g.second.push_back(std::move(s));
        }
    }
    if (groups.empty()) return 0;
    const auto local_counts = registry.counts();
    const auto others = remote ? remote->view(registry) : nullptr;
    for (auto& [key, g] : groups) {
        auto counts = local_counts;
        auto rows = registry.summaries(g.first);
        if (others) others->merge(rows, counts, g.first);
        auto parts = std::make_shared<const std::vector<std::string>>(
            build_summaries_frames(ts_ms, registry.high_cpu(), counts, rows, hosts_per_part));
        for (auto& s : g.second) s->deliver({nullptr, LiveMessageKind::summaries, parts});
    }
    return groups.size();
}

std::vector<std::shared_ptr<LiveSink>> LiveHub::all() const {
    std::vector<std::shared_ptr<LiveSink>> out;
    std::lock_guard lock(mu_);
    for (auto& [id, c] : clients_)
        if (auto s = c.sink.lock()) out.push_back(std::move(s));
    return out;
}

std::size_t LiveHub::size() const {
    std::lock_guard lock(mu_);
    return clients_.size();
}

}  // namespace telehub::hub
