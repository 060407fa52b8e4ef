#include "agent/collect/sockets/socket_churn.hpp"

#include <algorithm>

#include "agent/collect/sockets/socket_collector.hpp"

namespace telehub::agent {
namespace {

void add(FamilyCounts& c, std::uint8_t family, std::uint32_t n = 1) {
    switch (family) {
    case 0: c.tcp += n; break;
    case 1: c.udp += n; break;
    case 2: c.unix_ += n; break;
    default: c.other += n; break;
    }
}

void accumulate(FamilyCounts& total, const FamilyCounts& d) {
    total.tcp += d.tcp;
    total.udp += d.udp;
    total.unix_ += d.unix_;
    total.other += d.other;
}

}  // namespace

SocketChurnCollector::SocketChurnCollector(LeakOptions leak) : leaks_(leak) {}

void SocketChurnCollector::update(std::int64_t now_ms, const ProcessList& procs, const SocketCollector& sockets) {
    ++tick_;
    opened_ = closed_ = 0;
    const bool baseline = tick_ == 1;
    const auto& table = sockets.table();
    const auto& index = sockets.index();

    track_close_wait(now_ms, sockets);
    observations_.clear();

    for (const ProcessEntry& e : procs) {
        // One process's socket fds at a time: a scratch the size of the
        // largest fd table, not of every fd on the host.
        inodes_.clear();
        sockets.owners().for_each_socket_fd(e.pid, [this](std::uint64_t inode) { inodes_.push_back(inode); });
        std::sort(inodes_.begin(), inodes_.end());
        inodes_.erase(std::unique(inodes_.begin(), inodes_.end()), inodes_.end());
        auto found = tracked_.find(e.pid);
        if (inodes_.empty() && found == tracked_.end()) continue;  // never held a socket
        Tracked& t = tracked_[e.pid];
        bool fresh = t.tick == 0 || t.record.starttime != e.starttime;
        if (fresh) {
            if (t.tick != 0) closed_ += static_cast<std::uint32_t>(t.held.size());  // the pid's previous process
            t = Tracked{};
            t.record.pid = e.pid;
            t.record.starttime = e.starttime;
        }
        t.record.name = e.name;
        t.tick = tick_;

        now_.clear();
        pending_.clear();
        for (const std::uint64_t inode : inodes_) {
            auto pos = index.find(inode);
            if (pos != SocketInodeIndex::npos) {
                Family f = other;
                switch (table[pos].family) {
                case SocketFamily::tcp: f = tcp; break;
                case SocketFamily::udp: f = udp; break;
                case SocketFamily::unix_: f = unix_; break;
                case SocketFamily::raw: f = other; break;
                }
                now_.push_back({inode, f});
                continue;
            }
            // In no table: a socket no table lists (netlink, packet, another
            // namespace's), or one created after the table was read and
            // before this fd scan, whose family is not known yet. A new one
            // waits a tick: by then it is in the table, or truly "other".
            auto held = std::lower_bound(t.held.begin(), t.held.end(), Held{inode, other});
            if (held != t.held.end() && held->inode() == inode) now_.push_back(*held);
            else if (baseline || std::binary_search(t.pending.begin(), t.pending.end(), inode))
                now_.push_back({inode, other});
            else
                pending_.push_back(inode);
        }
        // Copied, not swapped, so no process inherits the scratch's capacity.
        t.pending.assign(pending_.begin(), pending_.end());
        // A process first seen after the baseline started in this interval:
        // against its empty set, every socket it holds counts as opened.
        diff(t, now_, baseline);

        auto stuck = stuck_.find(e.pid);
        ProcessSocketObservation o;
        o.pid = e.pid;
        o.starttime = e.starttime;
        o.name = &t.record.name;
        o.sockets = t.record.open.total();
        if (stuck != stuck_.end()) {
            o.close_wait_stuck = stuck->second.count;
            o.close_wait_oldest_ms = stuck->second.oldest_ms;
        }
        if (o.sockets > 0 || o.close_wait_stuck > 0) observations_.push_back(o);
    }

    // Exited processes: their sockets closed with them.
    for (auto it = tracked_.begin(); it != tracked_.end();) {
        if (it->second.tick != tick_) {
            closed_ += static_cast<std::uint32_t>(it->second.held.size());
            it = tracked_.erase(it);
        } else {
            ++it;
        }
    }

    records_.clear();
    for (const auto& [pid, t] : tracked_) records_.emplace(pid, t.record);
    leaks_.observe(now_ms, observations_);
}

void SocketChurnCollector::diff(Tracked& t, const std::vector<Held>& now, bool baseline) {
    ProcessChurnRecord& r = t.record;
    r.opened = r.closed = r.open = {};
    for (const Held& h : now) add(r.open, h.family());
    if (!baseline) {
        // Both sorted by inode: one merge pass finds what appeared and what left.
        auto a = t.held.begin();
        auto b = now.begin();
        while (a != t.held.end() || b != now.end()) {
            if (b == now.end() || (a != t.held.end() && a->inode() < b->inode())) {
                add(r.closed, a++->family());
            } else if (a == t.held.end() || b->inode() < a->inode()) {
                add(r.opened, b++->family());
            } else {
                ++a;
                ++b;
            }
        }
    }
    accumulate(r.opened_total, r.opened);
    accumulate(r.closed_total, r.closed);
    opened_ += r.opened.total();
    closed_ += r.closed.total();
    t.held = now;
}

void SocketChurnCollector::track_close_wait(std::int64_t now_ms, const SocketCollector& sockets) {
    const auto max_ms = leaks_.options().close_wait_max_ms;
    const auto& table = sockets.table();
    close_wait_next_.clear();
    stuck_.clear();
    for (std::size_t pos = 0; pos < table.size(); ++pos) {
        const SocketEntry& e = table[pos];
        if (e.family != SocketFamily::tcp || e.state != tcp_close_wait || e.inode == 0) continue;
        auto prev = close_wait_since_.find(e.inode);
        std::int64_t since = prev == close_wait_since_.end() ? now_ms : prev->second;
        close_wait_next_.emplace(e.inode, since);
        if (now_ms - since <= max_ms) continue;
        int owner = sockets.owner_at(pos);
        if (owner < 0) continue;
        Stuck& s = stuck_[owner];
        if (s.count++ == 0 || since < s.oldest_ms) s.oldest_ms = since;
    }
    close_wait_since_.swap(close_wait_next_);
}

void SocketChurnCollector::fill(std::size_t top_k, HostSockets& out, std::vector<LeakSuspect>& leaks) const {
    out.churn.opened = opened_;
    out.churn.closed = closed_;
    std::vector<const ProcessChurnRecord*> busy;
    for (const auto& [pid, r] : records_)
        if (r.opened.total() + r.closed.total() > 0) busy.push_back(&r);
    auto churn = [](const ProcessChurnRecord* r) { return r->opened.total() + r->closed.total(); };
    std::sort(busy.begin(), busy.end(), [&](auto* a, auto* b) {
        return churn(a) != churn(b) ? churn(a) > churn(b) : a->pid < b->pid;
    });
    if (busy.size() > top_k) busy.resize(top_k);
    out.churn_by_process.resize(busy.size());
    for (std::size_t i = 0; i < busy.size(); ++i) {
        const auto& r = *busy[i];
        auto& p = out.churn_by_process[i];
        p.pid = r.pid;
        p.name = r.name;
        p.opened = r.opened;
        p.closed = r.closed;
        p.opened_total = r.opened_total.total();
        p.closed_total = r.closed_total.total();
        p.open = r.open;
    }
    leaks = leaks_.suspects();
}

}  // namespace telehub::agent
