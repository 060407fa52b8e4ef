#include "hub/cluster/peer_fleet.hpp"

#include <algorithm>
#include <unordered_map>

namespace telehub::hub {

PeerFleet::PeerFleet(std::string self, std::int64_t grace_ms, std::int64_t forget_ms, Clock clock)
    : self_(std::move(self)), grace_ms_(grace_ms), forget_ms_(forget_ms), clock_(std::move(clock)) {}

void PeerFleet::take(FleetBatch batch) {
    if (batch.hub == self_) return;
    const auto now = clock_();
    // Built before the lock: holder() looks a host up without scanning.
    std::unordered_map<std::string, std::size_t> index;
    index.reserve(batch.hosts.size());
    for (std::size_t i = 0; i < batch.hosts.size(); ++i) index.emplace(batch.hosts[i].host_id, i);
    std::lock_guard lock(mu_);
    auto& p = peers_[batch.hub];
    p.heard_ms = now;
    for (auto& h : p.hosts)
        if (!index.contains(h.host_id)) {
            h.online = h.hot = false;
            p.gone.insert_or_assign(h.host_id, std::move(h));
        }
    if (!p.gone.empty())
        for (const auto& h : batch.hosts) p.gone.erase(h.host_id);
    p.hosts = std::move(batch.hosts);
    p.index = std::move(index);
}

std::vector<PeerHubInfo> PeerFleet::peers() const {
    const auto now = clock_();
    std::lock_guard lock(mu_);
    std::vector<PeerHubInfo> out;
    for (const auto& [name, p] : peers_)
        out.push_back({name, p.hosts.size(), now - p.heard_ms, now - p.heard_ms <= grace_ms_});
    return out;
}

bool PeerFleet::online_elsewhere(const std::string& host_id) const { return online_on(host_id).has_value(); }

std::optional<std::string> PeerFleet::online_on(const std::string& host_id) const {
    const auto now = clock_();
    std::lock_guard lock(mu_);
    for (const auto& [name, p] : peers_) {
        auto at = p.index.find(host_id);
        if (at != p.index.end() && p.hosts[at->second].online && now - p.heard_ms <= grace_ms_) return name;
    }
    return std::nullopt;
}

bool PeerFleet::forget(const std::string& host_id) {
    const auto now = clock_();
    std::lock_guard lock(mu_);
    bool dropped = false;
    for (auto& [name, p] : peers_) {
        dropped |= p.gone.erase(host_id) > 0;
        // Listed by a hub gone silent: offline, and forgotten as the others are.
        // Its next message, if it comes, lists it again only if it is online.
        auto at = p.index.find(host_id);
        if (at == p.index.end() || now - p.heard_ms <= grace_ms_) continue;
        const auto row = at->second;
        p.index.erase(at);
        if (row + 1 != p.hosts.size()) {
            p.hosts[row] = std::move(p.hosts.back());
            p.index[p.hosts[row].host_id] = row;
        }
        p.hosts.pop_back();
        dropped = true;
    }
    return dropped;
}

std::optional<std::string> PeerFleet::holder(const std::string& host_id) const {
    const auto now = clock_();
    std::lock_guard lock(mu_);
    std::optional<std::string> best;
    std::pair<bool, std::int64_t> best_key{false, -1};
    for (const auto& [name, p] : peers_) {
        // A host gone offline there is still that hub's: it holds its history.
        const HostSummary* h = nullptr;
        if (auto at = p.index.find(host_id); at != p.index.end()) h = &p.hosts[at->second];
        else if (auto g = p.gone.find(host_id); g != p.gone.end()) h = &g->second;
        if (!h) continue;
        std::pair key{h->online && now - p.heard_ms <= grace_ms_, h->last_seen_ms};
        if (!best || key > best_key) best = name, best_key = key;
    }
    return best;
}

namespace {

// The other hubs' best row of each host and this hub's presence, taken once.
class PeerView final : public RemoteHosts::View {
public:
    PeerView(std::string self, std::unordered_map<std::string, HostSummary> best,
             std::unordered_map<std::string, bool> here)
        : self_(std::move(self)), best_(std::move(best)), here_(std::move(here)) {}

    void merge(std::vector<HostSummary>& rows, HostCounts& counts, const HostFilter& filter) const override {
        for (auto& r : rows) r.hub = self_;
        if (best_.empty()) return;
        std::unordered_map<std::string, std::size_t> row_at;
        for (std::size_t i = 0; i < rows.size(); ++i) row_at.emplace(rows[i].host_id, i);

        std::vector<std::size_t> dropped;  // this hub's offline rows replaced by a row that does not match the filter
        const auto old_size = rows.size();
        for (const auto& [id, r] : best_) {
            auto h = here_.find(id);
            if (h != here_.end()) {
                // Held here too: this hub's row wins unless it is offline and the other hub's online.
                if (h->second || !r.online) continue;
                --counts.offline;
                ++counts.online;
                if (r.hot) ++counts.hot;
                auto at = row_at.find(id);
                if (filter.matches(r)) {
                    if (at != row_at.end()) rows[at->second] = r;
                    else rows.push_back(r);
                } else if (at != row_at.end()) {
                    dropped.push_back(at->second);
                }
                continue;
            }
            ++counts.total;
            ++(r.online ? counts.online : counts.offline);
            if (r.hot) ++counts.hot;
            if (filter.matches(r)) rows.push_back(r);
        }
        std::sort(dropped.rbegin(), dropped.rend());
        for (auto i : dropped) rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(i));
        if (rows.size() != old_size || !dropped.empty())
            std::sort(rows.begin(), rows.end(), [](const HostSummary& a, const HostSummary& b) { return a.host_id < b.host_id; });
    }

private:
    std::string self_;
    std::unordered_map<std::string, HostSummary> best_;
    std::unordered_map<std::string, bool> here_;  // host id -> online on this hub
};

}  // namespace

std::unique_ptr<const RemoteHosts::View> PeerFleet::view(const HostRegistry& local) const {
    const auto now = clock_();
    // The best row of each host held elsewhere: online before offline, then
    // the one seen last. A hub gone quiet past the grace shows its hosts
    // offline, as a silent agent is.
    std::unordered_map<std::string, HostSummary> best;
    {
        std::lock_guard lock(mu_);
        for (auto it = peers_.begin(); it != peers_.end();) {
            const auto silent = now - it->second.heard_ms;
            if (silent > forget_ms_) {
                it = peers_.erase(it);
                continue;
            }
            auto offer = [&best](HostSummary row) {
                auto [at, fresh] = best.try_emplace(row.host_id, row);
                if (!fresh && std::pair(row.online, row.last_seen_ms) > std::pair(at->second.online, at->second.last_seen_ms))
                    at->second = std::move(row);
            };
            for (const auto& h : it->second.hosts) {
                HostSummary row = h;
                if (silent > grace_ms_) row.online = row.hot = false;
                offer(std::move(row));
            }
            std::erase_if(it->second.gone, [&](const auto& g) { return now - g.second.last_seen_ms > forget_ms_; });
            for (const auto& [id, row] : it->second.gone) offer(row);
            ++it;
        }
    }
    std::unordered_map<std::string, bool> here;
    if (!best.empty())
        for (const auto& p : local.presence()) here.emplace(p.host_id, p.online);
    return std::make_unique<PeerView>(self_, std::move(best), std::move(here));
}

}  // namespace telehub::hub
