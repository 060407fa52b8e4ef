#include "agent/collect/containers/container_collector.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <unistd.h>

namespace telehub::agent {
namespace {

/* each process's /proc/PID/cgroup is read again every 16 ticks, spread over the ticks by pid */
constexpr std::uint64_t cgroup_refresh_ticks = 16;

const std::string no_container;

}  // namespace

struct ContainerCollector::Container {
    ContainerStats stats;
    DirFd cpu_dir;
    bool cpu_v2 = false;
    DirFd mem_dir;
    bool mem_v2 = false;
    bool have_prev = false;
    std::uint64_t prev_usage_ns = 0;
    std::int64_t prev_ns = 0;
    std::uint64_t seen_tick = 0;
};

ContainerCollector::ContainerCollector(ContainerOptions options)
    : options_(std::move(options)), proc_(options_.proc_root) {
    if (read_file_at(proc_.fd(), "self/mountinfo", text_)) mounts_ = parse_cgroup_mounts(text_);
}

ContainerCollector::~ContainerCollector() = default;

ContainerCollector::Container* ContainerCollector::lookup(int pid) const {
    auto it = members_.find(pid);
    return it == members_.end() ? nullptr : it->second.container;
}

const std::string& ContainerCollector::container_of(int pid) const {
    const Container* c = lookup(pid);
    return c ? c->stats.name : no_container;
}

// The cgroup directory that is the container's own in one hierarchy, opened
// when that hierarchy's path names the same container.
static DirFd container_dir(const std::string& mount, const std::string& path, const ContainerRef& ref) {
    if (mount.empty() || path.empty()) return {};
    auto in = container_in_path(path);
    if (!in || in->id != ref.id) return {};
    return DirFd(mount + path.substr(0, in->end));
}

ContainerCollector::Container* ContainerCollector::open_container(const ProcCgroups& g, const ContainerRef& ref) {
    auto& slot = containers_[ref.runtime + ":" + ref.id];
    if (slot) return slot.get();
    slot = std::make_unique<Container>();
    Container& c = *slot;
    c.stats.id = ref.id;
    c.stats.runtime = ref.runtime;
    c.stats.name = container_name(options_.roots, ref.runtime, ref.id);
    // v2 first: cpu.stat is there whether or not the cpu controller is enabled.
    if ((c.cpu_dir = container_dir(mounts_.v2, g.v2, ref)).ok() && ::faccessat(c.cpu_dir.fd(), "cpu.stat", R_OK, 0) == 0)
        c.cpu_v2 = true;
    else
        c.cpu_dir = container_dir(mounts_.cpuacct, g.cpuacct, ref);
    if ((c.mem_dir = container_dir(mounts_.v2, g.v2, ref)).ok() &&
        ::faccessat(c.mem_dir.fd(), "memory.current", R_OK, 0) == 0)
        c.mem_v2 = true;
    else
        c.mem_dir = container_dir(mounts_.memory, g.memory, ref);
    return &c;
}

ContainerCollector::Container* ContainerCollector::assign(int pid) {
    char path[32];
    std::snprintf(path, sizeof path, "%d/cgroup", pid);
    if (!read_file_at(proc_.fd(), path, text_)) return nullptr;
    auto g = parse_proc_cgroup(text_);
    if (!g) return nullptr;
    auto ref = telehub::agent::container_of(*g);
    return ref ? open_container(*g, *ref) : nullptr;
}

void ContainerCollector::update(const ProcessList& procs) {
    ++tick_;
    for (const ProcessEntry& p : procs) {
        if (p.kernel_thread) continue;
        auto [it, fresh] = members_.try_emplace(p.pid);
        Member& m = it->second;
        if (fresh || m.starttime != p.starttime ||
            (static_cast<std::uint64_t>(p.pid) + tick_) % cgroup_refresh_ticks == 0) {
            m.starttime = p.starttime;
            m.container = assign(p.pid);
        }
        m.seen_tick = tick_;
        if (Container* c = m.container) {
            if (c->seen_tick != tick_) {
                c->seen_tick = tick_;
                c->stats.procs = 0;
            }
            ++c->stats.procs;
        }
    }
    std::erase_if(members_, [this](const auto& kv) { return kv.second.seen_tick != tick_; });
    std::erase_if(containers_, [this](const auto& kv) { return kv.second->seen_tick != tick_; });
    const std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::steady_clock::now().time_since_epoch())
                                    .count();
    for (auto& [key, c] : containers_) read_accounting(*c, now_ns);
}

void ContainerCollector::read_accounting(Container& c, std::int64_t now_ns) {
    ContainerStats& s = c.stats;
    s.cpu_known = false;
    s.cpu = 0;
    std::optional<std::uint64_t> usage_ns;
    if (c.cpu_dir.ok() && read_file_at(c.cpu_dir.fd(), c.cpu_v2 ? "cpu.stat" : "cpuacct.usage", text_)) {
        if (c.cpu_v2) {
            if (auto us = parse_cpu_stat_usage_usec(text_)) usage_ns = *us * 1000;
        } else {
            usage_ns = parse_cgroup_value(text_);
        }
    }
    if (usage_ns && c.have_prev && now_ns > c.prev_ns && *usage_ns >= c.prev_usage_ns) {
        s.cpu = 100.0 * double(*usage_ns - c.prev_usage_ns) / double(now_ns - c.prev_ns);
        s.cpu_known = true;
    }
    c.have_prev = usage_ns.has_value();
    if (usage_ns) {
        c.prev_usage_ns = *usage_ns;
        c.prev_ns = now_ns;
    }
    s.mem_known = false;
    s.mem = s.mem_limit = 0;
    if (c.mem_dir.ok() && read_file_at(c.mem_dir.fd(), c.mem_v2 ? "memory.current" : "memory.usage_in_bytes", text_)) {
        if (auto used = parse_cgroup_value(text_)) {
            s.mem = *used;
            s.mem_known = true;
        }
        if (read_file_at(c.mem_dir.fd(), c.mem_v2 ? "memory.max" : "memory.limit_in_bytes", text_))
            s.mem_limit = parse_cgroup_value(text_).value_or(0);
    }
}

void ContainerCollector::fill(const ProcessList& procs, const SocketCollector& sockets,
                              const SocketChurnCollector& churn, Sample& out) {
    for (auto& [key, c] : containers_) {
        ContainerStats& s = c->stats;
        s.tcp.fill(0);
        s.udp = s.unix_ = s.opened = s.closed = s.leaks = 0;
    }
    // A socket is its lowest-pid holder's container's.
    const auto& table = sockets.table();
    for (std::size_t i = 0; i < table.size(); ++i) {
        int pid = sockets.owner_at(i);
        if (pid < 0) continue;
        Container* c = lookup(pid);
        if (!c) continue;
        const SocketEntry& e = table[i];
        switch (e.family) {
            case SocketFamily::tcp:
                if (e.state < c->stats.tcp.size()) ++c->stats.tcp[e.state];
                break;
            case SocketFamily::udp: ++c->stats.udp; break;
            case SocketFamily::unix_: ++c->stats.unix_; break;
            case SocketFamily::raw: break;
        }
    }
    for (const auto& [pid, r] : churn.processes()) {
        auto it = members_.find(pid);
        if (it == members_.end() || !it->second.container || it->second.starttime != r.starttime) continue;
        it->second.container->stats.opened += r.opened.total();
        it->second.container->stats.closed += r.closed.total();
    }
    for (LeakSuspect& l : out.leaks) {
        Container* c = lookup(l.pid);
        l.container = c ? c->stats.name : std::string();
        if (c) ++c->stats.leaks;
    }
    name_owners(procs, sockets, out);

    listed_.clear();
    for (auto& [key, c] : containers_) listed_.push_back(c.get());
    out.containers_total = static_cast<std::uint32_t>(listed_.size());
    std::sort(listed_.begin(), listed_.end(), [](const Container* a, const Container* b) {
        if (a->stats.cpu != b->stats.cpu) return a->stats.cpu > b->stats.cpu;
        return a->stats.name < b->stats.name;
    });
    out.containers.clear();
    for (std::size_t i = 0; i < listed_.size(); ++i)
        if (i < options_.top || listed_[i]->stats.leaks > 0) out.containers.push_back(listed_[i]->stats);
}

void ContainerCollector::name_owners(const ProcessList& procs, const SocketCollector& sockets, Sample& out) {
    for (auto& p : out.top) p.container = container_of(p.pid);
    for (auto& p : out.sockets.by_process) p.container = container_of(p.pid);
    for (auto& p : out.sockets.churn_by_process) p.container = container_of(p.pid);
    // A namespace is a container's when one of its processes is in one (the lowest pid's wins).
    std::vector<std::pair<int, const Container*>> owner(out.sockets.netns.size(), {0, nullptr});
    for (std::size_t i = 0; i < procs.size(); ++i) {
        std::uint16_t slot = sockets.namespaces().slot_of(i);
        if (slot >= owner.size()) continue;
        const Container* c = lookup(procs[i].pid);
        if (c && (!owner[slot].second || procs[i].pid < owner[slot].first)) owner[slot] = {procs[i].pid, c};
    }
    for (std::size_t s = 0; s < owner.size(); ++s) {
        auto& n = out.sockets.netns[s];
        n.container_id = owner[s].second ? owner[s].second->stats.id : std::string();
        n.container = owner[s].second ? owner[s].second->stats.name : std::string();
    }
}

}  // namespace telehub::agent
