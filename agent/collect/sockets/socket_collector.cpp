#include "agent/collect/sockets/socket_collector.hpp"

#include <algorithm>

#include <sys/socket.h>

namespace telehub::agent {
namespace {

/* after a refusal, netlink is retried once a minute at one tick per second:
   a kernel without sock_diag modules tries modprobe on every request */
constexpr unsigned netlink_retry_ticks = 60;

}  // namespace

SocketCollector::SocketCollector(std::string proc_root, bool use_netlink)
    : use_netlink_(use_netlink), proc_net_(proc_root), owners_(proc_root) {}

bool SocketCollector::read_table() {
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
                table_.resize(before_raw);
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
    std::size_t kept = 0;
    for (std::size_t i = 0; i < table_.size(); ++i) {
        if (table_[i].inode != 0 && !index_.insert(table_[i].inode, static_cast<std::uint32_t>(kept))) continue;
        table_[kept++] = table_[i];
    }
    table_.resize(kept);
}

bool SocketCollector::collect(const ProcessList& procs, std::size_t top_k, telehub::HostSockets& out) {
    bool ok = read_table();
    if (!ok) table_.clear();
    index_table();
    owners_.update(procs, table_, index_);
    fill_counts(procs, top_k, out);
    return ok;
}

void SocketCollector::fill_counts(const ProcessList& procs, std::size_t top_k, telehub::HostSockets& out) {
    out.tcp.fill(0);
    out.udp = out.unix_ = out.raw = 0;
    for (const SocketEntry& e : table_) {
        switch (e.family) {
            case SocketFamily::tcp:
                if (e.state < out.tcp.size()) ++out.tcp[e.state];
                break;
            case SocketFamily::udp: ++out.udp; break;
            case SocketFamily::unix_: ++out.unix_; break;
            case SocketFamily::raw: ++out.raw; break;
        }
    }
    out.unattributed = owners_.unattributed();
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
