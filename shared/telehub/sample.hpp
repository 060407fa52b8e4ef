// The messages an agent sends: plain structs, filled by the collectors and
// turned into frames by codec.hpp. Field names follow docs/protocol.md.
#pragma once

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
};

struct ProcessSockets {
    int pid = 0;
    std::string name;
    std::uint32_t total = 0;  // every socket the process holds, of any family
    TcpStateCounts tcp{};
    std::uint32_t udp = 0;
    std::uint32_t unix_ = 0;
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
