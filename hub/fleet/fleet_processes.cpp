#include "hub/fleet/fleet_processes.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "telehub/prefetch.hpp"

namespace telehub::hub {
namespace {

// CPU is kept in hundredths of a percent: integer sums subtract back exactly.
constexpr double cpu_scale = 100;

std::int64_t to_cpu_units(double pct) {
    return std::isfinite(pct) && pct > 0 ? std::llround(pct * cpu_scale) : 0;
}

double from_cpu_units(std::int64_t units) { return static_cast<double>(units) / cpu_scale; }

// A freed index of `items` when there is one (left as reset by its last
// owner), else a new element at the end.
template <class T>
std::uint32_t reuse_or_append(std::vector<T>& items, std::vector<std::uint32_t>& freed) {
    if (freed.empty()) {
        items.emplace_back();
        return static_cast<std::uint32_t>(items.size() - 1);
    }
    const std::uint32_t id = freed.back();
    freed.pop_back();
    return id;
}

}  // namespace

void FleetProcesses::add(Group& g, const Share& s, int sign) {
    auto step = [sign](auto& total, auto value) {
        if (sign > 0) total += value;
        else total -= value;
    };
    step(g.cpu, s.cpu);
    step(g.processes, s.processes);
    step(g.sockets, s.sockets);
    for (std::size_t i = 0; i < g.tcp.size(); ++i) step(g.tcp[i], s.tcp[i]);
    step(g.udp, s.udp);
    step(g.unix_, s.unix_);
    if (s.leak) step(g.leak_hosts, 1u);
}

std::uint32_t FleetProcesses::group_locked(std::string_view name) {
    if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
    const std::uint32_t id = reuse_or_append(groups_, free_groups_);
    groups_[id].name = std::string(name);
    by_name_.emplace(groups_[id].name, id);
    return id;
}

void FleetProcesses::leave_locked(const HostShare& left) {
    Group& g = groups_[left.group];
    add(g, left.share, -1);
    if (--g.hosts > 0) return;
    // A name no host lists any more goes, so that short-lived names
    // (kworker/3:1, a build's compilers) do not pile up.
    by_name_.erase(by_name_.find(std::string_view(g.name)));
    g = Group{};
    free_groups_.push_back(left.group);
}

void FleetProcesses::on_sample(std::string_view hostname, const Sample& sample, FleetHandle* handle) {
    if (sample.backfill) return;
    // The host's shares, one per name, built before the lock: names point
    // into the sample, a few tens of them. Both lists are the calling
    // thread's, kept with their capacity: a sample allocates nothing here.
    thread_local std::vector<std::pair<std::string_view, Share>> shares;
    thread_local std::vector<HostShare> next;
    shares.clear();
    next.clear();
    auto share = [&](std::string_view name) -> Share& {
        for (auto& [n, s] : shares)
            if (n == name) return s;
        return shares.emplace_back(name, Share{}).second;
    };
    for (const TopProcess& p : sample.top) {
        Share& s = share(p.name);
        const std::int64_t cpu = to_cpu_units(p.cpu);
        s.cpu += cpu;
        s.cpu_max = std::max(s.cpu_max, cpu);
        ++s.processes;
    }
    for (const ProcessSockets& p : sample.sockets.by_process) {
        Share& s = share(p.name);
        s.sockets += p.total;
        for (std::size_t i = 0; i < s.tcp.size(); ++i) s.tcp[i] += p.tcp[i];
        s.udp += p.udp;
        s.unix_ += p.unix_;
    }
    for (const LeakSuspect& l : sample.leaks) share(l.name).leak = true;

    std::lock_guard lock(mu_);
    std::uint32_t slot = 0;
    if (handle && handle->slot < slots_.size() && slots_[handle->slot].generation == handle->generation) {
        slot = handle->slot;
    } else if (auto it = by_host_.find(std::string_view(sample.host_id)); it != by_host_.end()) {
        slot = it->second;
    } else {
        slot = reuse_or_append(slots_, free_slots_);
        slots_[slot].id = sample.host_id;
        by_host_.emplace(sample.host_id, slot);
    }
    if (handle) *handle = {slot, slots_[slot].generation, &slots_[slot]};
    HostSlot& h = slots_[slot];
    if (sample.ts_ms < h.last_ms) return;
    h.last_ms = sample.ts_ms;
    if (h.hostname != hostname) h.hostname = std::string(hostname);

    constexpr std::uint32_t taken = UINT32_MAX;  // an old share carried into `next`
    for (const auto& entry : shares) {
        // Not a structured binding: the lambda below captures the name, which clang 14 (the fuzz build) refuses.
        const std::string_view name = entry.first;
        const Share& s = entry.second;
        // Most names were in the host's last sample too: found among its
        // own few shares, without hashing the name.
        auto old = std::find_if(h.shares.begin(), h.shares.end(),
                                [&](const HostShare& e) { return e.group != taken && groups_[e.group].name == name; });
        std::uint32_t id = 0;
        if (old != h.shares.end()) {
            id = old->group;
            add(groups_[id], old->share, -1);
            old->group = taken;
        } else {
            id = group_locked(name);
            ++groups_[id].hosts;
        }
        add(groups_[id], s, +1);
        next.push_back({id, s});
    }
    // The host keeps `next`; the previous shares, now in `next`, are left
    // with the names this sample no longer lists.
    std::swap(h.shares, next);
    for (const HostShare& e : next)
        if (e.group != taken) leave_locked(e);
}

void FleetProcesses::prefetch_record(const FleetHandle& handle) {
    if (handle.record_hint) prefetch_range(handle.record_hint, sizeof(HostSlot));
}

void FleetProcesses::prefetch_state(const FleetHandle& handle) const {
    std::lock_guard lock(mu_);
    if (handle.slot >= slots_.size() || slots_[handle.slot].generation != handle.generation) return;
    const auto& shares = slots_[handle.slot].shares;
    prefetch_range(shares.data(), shares.size() * sizeof(HostShare));
}

void FleetProcesses::remove(std::string_view host_id) {
    std::lock_guard lock(mu_);
    auto it = by_host_.find(host_id);
    if (it == by_host_.end()) return;
    const std::uint32_t slot = it->second;
    for (const HostShare& e : slots_[slot].shares) leave_locked(e);
    by_host_.erase(it);
    const std::uint32_t generation = slots_[slot].generation + 1;
    slots_[slot] = HostSlot{};
    slots_[slot].generation = generation;
    free_slots_.push_back(slot);
}

void FleetProcesses::gather_locked(FleetSort sort, RowHosts& row, std::uint32_t slot, const Share& share) const {
    row.cpu_max = std::max(row.cpu_max, share.cpu_max);
    if (share.leak) row.leak_slots.push_back(slot);
    const std::int64_t sockets = share.sockets;
    row.hosts.push_back(sort == FleetSort::cpu ? Ranked{share.cpu, sockets, slot, &share}
                                               : Ranked{sockets, share.cpu, slot, &share});
}

FleetProcess FleetProcesses::row_locked(std::uint32_t group, RowHosts& hosts) const {
    const Group& g = groups_[group];
    FleetProcess r;
    r.name = g.name;
    r.hosts = g.hosts;
    r.processes = g.processes;
    r.cpu_total = from_cpu_units(g.cpu);
    r.sockets = g.sockets;
    r.tcp = g.tcp;
    r.udp = g.udp;
    r.unix_ = g.unix_;
    r.leak_host_count = g.leak_hosts;
    // The maximum cannot be subtracted back out, so the walk found it.
    r.cpu_max = from_cpu_units(hosts.cpu_max);
    r.leak_hosts.reserve(hosts.leak_slots.size());
    for (std::uint32_t slot : hosts.leak_slots) r.leak_hosts.push_back(slots_[slot].id);
    std::sort(r.leak_hosts.begin(), r.leak_hosts.end());
    if (r.leak_hosts.size() > host_list_size) r.leak_hosts.resize(host_list_size);

    auto before = [this](const Ranked& a, const Ranked& b) {
        if (a.first != b.first) return a.first > b.first;
        if (a.second != b.second) return a.second > b.second;
        return slots_[a.slot].id < slots_[b.slot].id;
    };
    auto& ranked = hosts.hosts;
    const std::size_t n = std::min(ranked.size(), host_list_size);
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end(), before);
    for (std::size_t i = 0; i < n; ++i) {
        const HostSlot& h = slots_[ranked[i].slot];
        const Share& s = *ranked[i].share;
        r.host_list.push_back({h.id, h.hostname, from_cpu_units(s.cpu), from_cpu_units(s.cpu_max), s.processes, s.sockets, s.leak});
    }
    return r;
}

std::vector<FleetProcess> FleetProcesses::top(FleetSort sort, std::size_t limit) const {
    std::lock_guard lock(mu_);
    std::vector<std::uint32_t> live;
    live.reserve(by_name_.size());
    for (const auto& [name, id] : by_name_) live.push_back(id);
    auto figure = [sort](const Group& g) {
        return sort == FleetSort::cpu ? std::pair{g.cpu, static_cast<std::int64_t>(g.sockets)}
                                      : std::pair{static_cast<std::int64_t>(g.sockets), g.cpu};
    };
    const std::size_t n = std::min(limit, live.size());
    std::partial_sort(live.begin(), live.begin() + static_cast<std::ptrdiff_t>(n), live.end(),
                      [&](std::uint32_t a, std::uint32_t b) {
                          const auto fa = figure(groups_[a]), fb = figure(groups_[b]);
                          return fa != fb ? fa > fb : groups_[a].name < groups_[b].name;
                      });
    // Each returned row's hosts, gathered in one pass over the hosts' shares
    // (freed slots have none).
    constexpr std::uint32_t not_returned = UINT32_MAX;
    std::vector<std::uint32_t> row_of(groups_.size(), not_returned);
    for (std::size_t i = 0; i < n; ++i) row_of[live[i]] = static_cast<std::uint32_t>(i);
    std::vector<RowHosts> hosts(n);
    for (std::size_t i = 0; i < n; ++i) hosts[i].hosts.reserve(groups_[live[i]].hosts);
    for (std::uint32_t slot = 0; slot < slots_.size(); ++slot)
        for (const HostShare& e : slots_[slot].shares)
            if (const std::uint32_t row = row_of[e.group]; row != not_returned)
                gather_locked(sort, hosts[row], slot, e.share);
    std::vector<FleetProcess> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(row_locked(live[i], hosts[i]));
    return out;
}

std::size_t FleetProcesses::host_count() const {
    std::lock_guard lock(mu_);
    return by_host_.size();
}

std::size_t FleetProcesses::name_count() const {
    std::lock_guard lock(mu_);
    return by_name_.size();
}

}  // namespace telehub::hub
