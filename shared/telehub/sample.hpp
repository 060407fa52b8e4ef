// The messages an agent sends: plain structs, filled by the collectors and
// turned into frames by codec.hpp. Field names follow docs/protocol.md.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "telehub/tcp_state.hpp"

namespace telehub {

struct CpuStats {
    double total = 0;   // busy %, 0..100, of all cores together
    double user = 0;
    double system = 0;
    double iowait = 0;
    double steal = 0;
    std::vector<double> per_core;  // busy % of each core, 0..100
};

struct MemStats {
    std::uint64_t total = 0;      // bytes
    std::uint64_t available = 0;  // bytes
};

struct ProcCounts {
    std::uint32_t total = 0;
    std::uint32_t running = 0;
};

struct SocketCounts {
    std::uint32_t tcp = 0;
    std::uint32_t udp = 0;
    std::uint32_t unix_ = 0;
};

struct TopProcess {
    int pid = 0;
    int ppid = 0;
    std::string name;     // comm
    std::string cmdline;  // at most 256 bytes, arguments joined by spaces
    std::string user;
    char state = '?';
    double cpu = 0;  // % of one core over the last interval (100 = one full core)
    std::uint64_t utime = 0;  // cumulative clock ticks
    std::uint64_t stime = 0;
    std::uint64_t rss = 0;  // bytes
    std::uint32_t threads = 0;
    int nice = 0;
    SocketCounts sockets;
    std::string container;  // its container's name; empty: the host (not in a container)
};

struct ProcessSockets {
    int pid = 0;
    std::string name;
    std::uint32_t total = 0;  // every socket the process holds, of any family
    TcpStateCounts tcp{};
    std::uint32_t udp = 0;
    std::uint32_t unix_ = 0;
    std::string container;  // empty: the host
};

// Sockets by family, for the churn figures ("other": raw, netlink, packet...).
struct FamilyCounts {
    std::uint32_t tcp = 0;
    std::uint32_t udp = 0;
    std::uint32_t unix_ = 0;
    std::uint32_t other = 0;
    std::uint32_t total() const { return tcp + udp + unix_ + other; }
};

// One process's socket churn, sampled: sockets that appeared in or left its
// fd table between two consecutive samples.
struct ProcessChurn {
    int pid = 0;
    std::string name;
    FamilyCounts opened;  // this interval
    FamilyCounts closed;  // this interval
    std::uint64_t opened_total = 0;  // since the agent started or the process appeared
    std::uint64_t closed_total = 0;
    FamilyCounts open;  // held now
    std::string container;  // empty: the host
};

// Host-wide, per interval. The kernel counters are exact; `opened`/`closed`
// are the sampled sums over processes and miss sockets that open and close
// within one interval (docs/sockets.md).
struct HostChurn {
    bool exact = false;  // the kernel counters below were read (false on the first sample)
    std::uint64_t tcp_active_opens = 0;
    std::uint64_t tcp_passive_opens = 0;
    std::uint64_t tcp_attempt_fails = 0;
    std::uint64_t tcp_estab_resets = 0;
    std::uint64_t tcp_out_rsts = 0;
    std::uint64_t udp_in_datagrams = 0;
    std::uint64_t udp_out_datagrams = 0;
    std::uint32_t sockets_used = 0;  // gauges from /proc/net/sockstat
    std::uint32_t tcp_inuse = 0;
    std::uint32_t tcp_orphan = 0;
    std::uint32_t tcp_tw = 0;
    std::uint32_t udp_inuse = 0;
    std::uint32_t opened = 0;  // sampled
    std::uint32_t closed = 0;
};

struct LeakSuspect {
    int pid = 0;
    std::string name;
    std::string reason;         // "growth" or "close_wait"
    std::uint32_t count = 0;    // sockets now (growth) or sockets stuck in CLOSE_WAIT
    std::int64_t since_ms = 0;  // when the condition first held
    std::string evidence;       // one sentence a person can act on
    std::string container;      // empty: the host
};

// One network namespace that has processes, and its sockets (sock_diag
// dumped inside it, or /proc/PID/net of one of its processes).
struct NetnsSockets {
    std::uint64_t inode = 0;  // of /proc/PID/ns/net
    bool host = false;        // the agent's own namespace: what sockets.tcp etc. count
    std::string source;       // "netlink" or "proc"; empty when neither could be read
    std::string container_id;  // the owner: a container when one of its processes is in one
    std::string container;
    int owner_pid = 0;  // else its lowest pid
    std::string owner_name;
    std::uint32_t processes = 0;
    TcpStateCounts tcp{};
    std::uint32_t udp = 0;
    std::uint32_t unix_ = 0;
};

// One container (or systemd service), from its processes' /proc/PID/cgroup
// and its cgroup's own accounting.
struct ContainerStats {
    std::string id;       // the runtime's full id, or the unit name for a systemd service
    std::string name;     // Docker's name, the Kubernetes pod, else the short id
    std::string runtime;  // docker, containerd, podman, kubernetes, systemd
    bool cpu_known = false;  // false when the cgroup's CPU accounting could not be read
    double cpu = 0;          // % of one core over the last interval (100 = one full core)
    bool mem_known = false;       // false when the cgroup's memory accounting could not be read
    std::uint64_t mem = 0;        // bytes charged to the cgroup now
    std::uint64_t mem_limit = 0;  // bytes; 0: no limit (or unknown)
    std::uint32_t procs = 0;
    TcpStateCounts tcp{};
    std::uint32_t udp = 0;
    std::uint32_t unix_ = 0;
    std::uint32_t opened = 0;  // sockets opened/closed by its processes this interval (sampled)
    std::uint32_t closed = 0;
    std::uint32_t leaks = 0;  // its processes' leak suspects

    std::uint32_t sockets() const;
};

struct HostSockets {
    TcpStateCounts tcp{};  // IPv4 and IPv6 together
    std::uint32_t udp = 0;
    std::uint32_t unix_ = 0;
    std::uint32_t raw = 0;
    // Sockets in the kernel's tables whose owning process could not be read.
    std::uint32_t unattributed = 0;
    std::string source;  // "netlink" or "proc": which path produced the counts
    std::vector<ProcessSockets> by_process;  // top K by total, descending
    HostChurn churn;
    std::vector<ProcessChurn> churn_by_process;  // top K by opened+closed this interval
    std::vector<NetnsSockets> netns;  // every namespace with processes, the host's first

    std::uint32_t tcp_total() const;
    std::uint32_t total() const { return tcp_total() + udp + unix_ + raw; }
};

struct Sample {
    std::string host_id;
    std::uint64_t seq = 0;
    std::int64_t ts_ms = 0;
    std::uint32_t interval_ms = 1000;
    bool backfill = false;  // replayed from the agent's buffer after a reconnect
    CpuStats cpu;
    std::array<double, 3> load{};
    MemStats mem;
    ProcCounts procs;
    std::vector<TopProcess> top;
    HostSockets sockets;
    std::vector<LeakSuspect> leaks;
    // How many leak suspects the host has; `leaks` lists them all, except in a
    // replayed sample, which lists the few holding the most (SampleDetail::replay).
    std::uint32_t leaks_total = 0;
    std::uint32_t leak_count() const {
        return std::max(leaks_total, static_cast<std::uint32_t>(leaks.size()));
    }
    // The top --top-containers by CPU, plus every container with a leak suspect.
    std::vector<ContainerStats> containers;
    std::uint32_t containers_total = 0;  // containers seen this tick, listed or not
};

struct Hello {
    int protocol = 0;
    std::string host_id;
    std::string hostname;
    std::string kernel;
    std::uint32_t cores = 0;
    std::int64_t boot_time = 0;  // unix seconds
    std::uint32_t interval_ms = 1000;
    std::string agent_version;
    std::int64_t instance = 0;  // agent start time in ms; a new instance restarts seq at 1
    std::string token;  // empty when the hub needs none
    std::vector<std::string> capabilities;
};

}  // namespace telehub
