#include "agent/collect/sockets/netns_tables.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/collect/sockets/netns_counters.hpp"
#include "telehub/tcp_state.hpp"

namespace telehub::agent {
namespace {

/* a refused setns is retried once a minute at one tick per second */
constexpr unsigned setns_retry_ticks = 60;
/* slot numbers are 16 bits; past this many namespaces the rest are not read */
constexpr std::size_t max_slots = NetnsTables::no_slot - 1;

std::uint64_t netns_inode_at(int dirfd, const char* path, std::string& buf) {
    buf.resize(64);
    ssize_t n = ::readlinkat(dirfd, path, buf.data(), buf.size());
    if (n <= 0 || static_cast<std::size_t>(n) >= buf.size()) return 0;
    auto inode = parse_netns_link(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    return inode ? *inode : 0;
}

// ESTABLISHED, CLOSE_WAIT and LISTEN change only by a segment or a call that
// moves a counter; CLOSE here is a bound socket, which stays until closed.
bool settled_state(std::uint8_t state) {
    return state == telehub::tcp_established || state == telehub::tcp_close_wait || state == telehub::tcp_listen ||
           state == telehub::tcp_close;
}

}  // namespace

struct NetnsTables::Namespace {
    int fd = -1;  // /proc/PID/ns/net, held while the namespace has processes
    std::unique_ptr<NetlinkDiagReader> netlink;
    std::unique_ptr<ProcNetReader> proc_net;
    int proc_net_pid = 0;
    unsigned retry_in = 0;
    std::uint64_t seen_tick = 0;
    std::uint16_t slot = 0;
    // TCP and UDP entries of the last full netlink dump, with the counters
    // read just before it; reusable while `settled` and the counters hold.
    SocketTable inet;
    std::string counters;
    bool inet_valid = false;
    bool settled = false;
    unsigned ticks_since_dump = 0;

    ~Namespace() {
        netlink.reset();
        if (fd >= 0) ::close(fd);
    }
};

NetnsTables::NetnsTables(std::string proc_root, bool use_netlink, bool use_setns)
    : proc_root_(std::move(proc_root)), proc_(proc_root_), use_netlink_(use_netlink), use_setns_(use_setns) {
    own_inode_ = netns_inode_at(proc_.fd(), "self/ns/net", link_);
}

NetnsTables::~NetnsTables() = default;

void NetnsTables::read(const ProcessList& procs, SocketTable& table) {
    ++tick_;
    order_.clear();
    slots_.assign(1, NetnsSlot{});
    slots_[0].inode = own_inode_;
    proc_slots_.assign(procs.size(), no_slot);
    bool own_seen = false;
    char path[48];
    for (std::size_t i = 0; i < procs.size(); ++i) {
        const ProcessEntry& p = procs[i];
        if (p.kernel_thread) continue;
        std::snprintf(path, sizeof path, "%d/ns/net", p.pid);
        std::uint64_t inode = own_inode_ == 0 ? 0 : netns_inode_at(proc_.fd(), path, link_);
        if (inode == 0 && own_inode_ != 0) continue;  // exited, or not ours to read
        std::uint16_t slot = 0;
        if (inode != own_inode_) {
            auto& ns = namespaces_[inode];
            if (!ns) ns = std::make_unique<Namespace>();
            if (ns->seen_tick != tick_) {
                if (order_.size() >= max_slots) continue;
                ns->seen_tick = tick_;
                order_.push_back(ns.get());
                ns->slot = static_cast<std::uint16_t>(order_.size());
                slots_.emplace_back();
                slots_.back().inode = inode;
                slots_.back().lowest = i;
            }
            slot = ns->slot;
        } else if (!own_seen) {
            own_seen = true;
            slots_[0].lowest = i;
        }
        NetnsSlot& s = slots_[slot];
        if (procs[s.lowest].pid > p.pid) s.lowest = i;
        ++s.processes;
        proc_slots_[i] = slot;
    }
    // A namespace with no process left is let go: holding its fd or a socket
    // in it would keep it alive.
    std::erase_if(namespaces_, [this](const auto& kv) { return kv.second->seen_tick != tick_; });
    for (Namespace* ns : order_) {
        NetnsSlot& s = slots_[ns->slot];
        read_one(*ns, s, procs[s.lowest].pid, ns->slot, table);
    }
}

void NetnsTables::read_one(Namespace& ns, NetnsSlot& slot, int pid, std::uint16_t index,
                           SocketTable& table) {
    const std::size_t first = table.size();
    if (use_netlink_ && use_setns_ && ns.retry_in == 0) {
        if (ns.fd < 0) {
            char path[48];
            std::snprintf(path, sizeof path, "%d/ns/net", pid);
            ns.fd = ::openat(proc_.fd(), path, O_RDONLY | O_CLOEXEC);
        }
        if (ns.fd >= 0) {
            if (!ns.netlink) ns.netlink = std::make_unique<NetlinkDiagReader>(ns.fd);
            NetlinkDiagReader& r = *ns.netlink;
            if (dump_netlink(ns, pid, table)) {
                slot.source = "netlink";
                table.set_netns(first, index);
                return;
            }
            slot.error = r.error();
            ns.netlink.reset();
            ns.inet_valid = false;
        } else {
            slot.error = std::string("cannot open /proc/") + std::to_string(pid) + "/ns/net: " + std::strerror(errno);
        }
        table.truncate(first);
        ns.retry_in = setns_retry_ticks;
    } else if (ns.retry_in > 0) {
        --ns.retry_in;
    }
    ns.inet_valid = false;
    if (!ns.proc_net || ns.proc_net_pid != pid) {
        ns.proc_net = std::make_unique<ProcNetReader>(proc_root_ + "/" + std::to_string(pid));
        ns.proc_net_pid = pid;
    }
    if (!ns.proc_net->read_all(table)) {
        if (!slot.error.empty()) slot.error += "; ";
        slot.error += ns.proc_net->error();
        ns.proc_net.reset();
        slot.source = "";
        return;
    }
    slot.source = "proc";
    table.set_netns(first, index);
}

}  // namespace telehub::agent

namespace telehub::agent {

bool NetnsTables::dump_netlink(Namespace& ns, int pid, SocketTable& table) {
    NetlinkDiagReader& r = *ns.netlink;
    const std::size_t first = table.size();
    const bool counted = read_netns_counters(proc_.fd(), pid, counters_, counters_scratch_);
    ++ns.ticks_since_dump;
    if (counted && ns.inet_valid && ns.settled && ns.ticks_since_dump < full_dump_ticks && counters_ == ns.counters) {
        table.append(ns.inet);
        return r.dump(SocketFamily::unix_, 0, table);
    }
    ns.inet_valid = false;
    if (!(r.dump(SocketFamily::tcp, AF_INET, table) && r.dump(SocketFamily::tcp, AF_INET6, table) &&
          r.dump(SocketFamily::udp, AF_INET, table) && r.dump(SocketFamily::udp, AF_INET6, table)))
        return false;
    ns.inet.assign(table, first);
    ns.settled = true;
    for (const SocketEntry& e : ns.inet.entries())
        if (e.family == SocketFamily::tcp && !settled_state(e.state)) ns.settled = false;
    ns.counters.swap(counters_);
    ns.inet_valid = counted;
    ns.ticks_since_dump = 0;
    return r.dump(SocketFamily::unix_, 0, table);
}

}  // namespace telehub::agent
