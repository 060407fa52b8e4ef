#include "hub/control/agent_directory.hpp"

namespace telehub::hub {

void AgentDirectory::add(std::uint64_t conn_id, std::weak_ptr<AgentLink> link) {
    std::lock_guard lock(mu_);
    links_[conn_id] = std::move(link);
}

void AgentDirectory::remove(std::uint64_t conn_id) {
    std::lock_guard lock(mu_);
    links_.erase(conn_id);
    auto h = hosts_of_.find(conn_id);
    if (h == hosts_of_.end()) return;
    auto o = owners_.find(h->second);
    if (o != owners_.end() && o->second == conn_id) owners_.erase(o);
    hosts_of_.erase(h);
}

std::shared_ptr<AgentLink> AgentDirectory::claim(const std::string& host_id, std::uint64_t conn_id) {
    std::shared_ptr<AgentLink> previous;
    std::lock_guard lock(mu_);
    auto& owner = owners_[host_id];
    if (owner != 0 && owner != conn_id) {
        if (auto it = links_.find(owner); it != links_.end()) previous = it->second.lock();
        hosts_of_.erase(owner);
    }
    owner = conn_id;
    hosts_of_[conn_id] = host_id;
    return previous;
}

std::uint64_t AgentDirectory::owner(const std::string& host_id) const {
    std::lock_guard lock(mu_);
    auto it = owners_.find(host_id);
    return it == owners_.end() ? 0 : it->second;
}

std::shared_ptr<AgentLink> AgentDirectory::owner_link(const std::string& host_id, std::uint64_t& conn_id) const {
    std::lock_guard lock(mu_);
    conn_id = 0;
    auto o = owners_.find(host_id);
    if (o == owners_.end()) return nullptr;
    auto l = links_.find(o->second);
    if (l == links_.end()) return nullptr;
    auto link = l->second.lock();
    if (link) conn_id = o->second;
    return link;
}

std::vector<std::shared_ptr<AgentLink>> AgentDirectory::all() const {
    std::vector<std::shared_ptr<AgentLink>> out;
    std::lock_guard lock(mu_);
    for (auto& [id, l] : links_)
        if (auto s = l.lock()) out.push_back(std::move(s));
    return out;
}

std::size_t AgentDirectory::size() const {
    std::lock_guard lock(mu_);
    return links_.size();
}

}  // namespace telehub::hub
