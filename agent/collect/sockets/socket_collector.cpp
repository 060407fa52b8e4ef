#include "agent/collect/sockets/socket_collector.hpp"

#include <algorithm>

#include <sys/socket.h>

namespace telehub::agent {
namespace {

/* after a refusal, netlink is retried once a minute at one tick per second:
   a kernel without sock_diag modules tries modprobe on every request */
constexpr unsigned netlink_retry_ticks = 60;

}  // namespace

SocketCollector::SocketCollector(std::string proc_root, bool use_netlink, bool use_setns, bool keep_addresses)
    : use_netlink_(use_netlink),
      proc_net_(proc_root),
      netns_(proc_root, use_netlink, use_setns),
      owners_(proc_root),
      table_(keep_addresses) {}

// The agent's own namespace first (slot 0), then every other one.
bool SocketCollector::read_table(const ProcessList& procs) {
    bool ok = read_own_table();
    if (!ok) table_.clear();
    netns_.read(procs, table_);
    return ok;
}

bool SocketCollector::read_own_table() {
    table_.clear();
    error_.clear();
    if (use_netlink_ && netlink_retry_in_ == 0) {
        bool ok = netlink_.dump(SocketFamily::tcp, AF_INET, table_) && netlink_.dump(SocketFamily::tcp, AF_INET6, table_) &&
                  netlink_.dump(SocketFamily::udp, AF_INET, table_) && netlink_.dump(SocketFamily::udp, AF_INET6, table_) &&
                  netlink_.dump(SocketFamily::unix_, 0, table_);
        if (ok) {
            source_ = "netlink";
            const std::size_t before_raw = table_.size();
            if (raw_diag_ && !(netlink_.dump(SocketFamily::raw, AF_INET, table_) &&
                               netlink_.dump(SocketFamily::raw, AF_INET6, table_))) {
                raw_diag_ = false;  // most often ENOENT: no raw_diag module; /proc/net/raw from now on
                table_.truncate(before_raw);
            }
            if (!raw_diag_ && !proc_net_.read_raw(table_)) error_ = "raw sockets not counted: " + proc_net_.error();
            return true;
        }
        error_ = "netlink sock_diag refused (" + netlink_.error() + "), using /proc/net";
        netlink_retry_in_ = netlink_retry_ticks;
        table_.clear();
    } else if (netlink_retry_in_ > 0) {
        --netlink_retry_in_;
    }
    if (!proc_net_.read_all(table_)) {
        if (!error_.empty()) error_ += "; ";
        error_ += proc_net_.error();
        source_ = "";
        return false;
    }
    source_ = "proc";
    return true;
}

// Drops a socket reported twice (a dump racing with a rehash can do that),
// so it is neither counted twice nor given two owners.
void SocketCollector::index_table() {
    index_.reset(table_.size());
    std::uint32_t kept = 0;
    table_.keep_if([&](std::size_t i) {
        if (table_[i].inode != 0 && !index_.insert(table_[i].inode, kept)) return false;
        ++kept;
        return true;
    });
}

bool SocketCollector::collect(const ProcessList& procs, std::size_t top_k, telehub::HostSockets& out) {
    bool ok = read_table(procs);
    index_table();
    owners_.update(procs, table_.entries(), index_);
    fill_counts(procs, top_k, out);
    return ok;
}

void SocketCollector::fill_counts(const ProcessList& procs, std::size_t top_k, telehub::HostSockets& out) {
    out.tcp.fill(0);
    out.udp = out.unix_ = out.raw = out.unattributed = 0;
    fill_netns(procs, out);
    for (std::size_t i = 0; i < table_.size(); ++i) {
        const SocketEntry& e = table_[i];
        if (e.netns >= out.netns.size()) continue;
        telehub::NetnsSockets& ns = out.netns[e.netns];
        switch (e.family) {
            case SocketFamily::tcp:
                if (e.state < ns.tcp.size()) ++ns.tcp[e.state];
                break;
            case SocketFamily::udp: ++ns.udp; break;
            case SocketFamily::unix_: ++ns.unix_; break;
            case SocketFamily::raw:
                if (e.netns == 0) ++out.raw;
                break;
        }
        if (e.netns == 0 && e.inode != 0 && owners_.owner_at(static_cast<std::uint32_t>(i)) < 0) ++out.unattributed;
    }
    // Host-wide keys keep meaning the agent's own namespace (docs/sockets.md).
    out.tcp = out.netns[0].tcp;
    out.udp = out.netns[0].udp;
    out.unix_ = out.netns[0].unix_;
    out.source = source_;

    ranking_.clear();
    owners_.for_each([this](int pid, const ProcessSocketTally& t) { ranking_.emplace_back(t.total, pid); });
    std::size_t k = std::min(top_k, ranking_.size());
    auto by_count = [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; };
    std::partial_sort(ranking_.begin(), ranking_.begin() + static_cast<std::ptrdiff_t>(k), ranking_.end(), by_count);

    out.by_process.resize(k);
    for (std::size_t i = 0; i < k; ++i) {
        const int pid = ranking_[i].second;
        const ProcessSocketTally& t = *owners_.tally(pid);
        telehub::ProcessSockets& ps = out.by_process[i];
        ps.pid = pid;
        ps.name.clear();
        for (const ProcessEntry& e : procs)
            if (e.pid == pid) {
                ps.name = e.name;
                break;
            }
        ps.total = t.total;
        ps.tcp = t.tcp;
        ps.udp = t.udp;
        ps.unix_ = t.unix_;
    }
}

void SocketCollector::fill_netns(const ProcessList& procs, telehub::HostSockets& out) {
    const auto& slots = netns_.slots();
    out.netns.resize(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const NetnsSlot& s = slots[i];
        telehub::NetnsSockets& n = out.netns[i];
        n.inode = s.inode;
        n.host = i == 0;
        n.source = i == 0 ? source_ : s.source;
        n.container_id.clear();
        n.container.clear();
        n.processes = s.processes;
        n.owner_pid = s.processes > 0 ? procs[s.lowest].pid : 0;
        n.owner_name = s.processes > 0 ? procs[s.lowest].name : std::string();
        n.tcp.fill(0);
        n.udp = n.unix_ = 0;
    }
}

telehub::SocketCounts SocketCollector::counts_for(int pid) const {
    telehub::SocketCounts c;
    if (const ProcessSocketTally* t = owners_.tally(pid)) {
        for (auto n : t->tcp) c.tcp += n;
        c.udp = t->udp;
        c.unix_ = t->unix_;
    }
    return c;
}

}  // namespace telehub::agent
