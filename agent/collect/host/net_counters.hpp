// The kernel's exact socket counters: /proc/net/snmp (+snmp6) and
// /proc/net/sockstat (+sockstat6). Sampling /proc/PID/fd cannot see a socket
// that opens and closes within one interval; these counters can.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/collect/proc/proc.hpp"

namespace telehub::agent {

// Cumulative since boot. The TCP MIB covers IPv4 and IPv6 together; UDP adds
// snmp6's Udp6 counters to snmp's Udp.
struct NetCounters {
    std::uint64_t tcp_active_opens = 0;   // connect()s that sent a SYN
    std::uint64_t tcp_passive_opens = 0;  // connections accepted from a SYN
    std::uint64_t tcp_attempt_fails = 0;
    std::uint64_t tcp_estab_resets = 0;
    std::uint64_t tcp_out_rsts = 0;
    std::uint64_t udp_in_datagrams = 0;
    std::uint64_t udp_out_datagrams = 0;
};

// Gauges: sockets in use now.
struct SockStat {
    std::uint32_t sockets_used = 0;
    std::uint32_t tcp_inuse = 0;  // IPv4 + IPv6
    std::uint32_t tcp_orphan = 0;
    std::uint32_t tcp_tw = 0;
    std::uint32_t udp_inuse = 0;  // IPv4 + IPv6
    std::uint32_t raw_inuse = 0;
};

// `snmp6` may be empty (no IPv6). nullopt when snmp lacks the Tcp or Udp rows.
std::optional<NetCounters> parse_snmp(std::string_view snmp, std::string_view snmp6);

// `sockstat6` may be empty. nullopt when sockstat lacks the sockets/TCP rows.
std::optional<SockStat> parse_sockstat(std::string_view sockstat, std::string_view sockstat6);

// Per-interval view: counters as deltas to the previous reading, gauges as read.
struct NetCountersDelta {
    NetCounters per_interval;
    SockStat now;
};

class NetCountersCollector {
public:
    explicit NetCountersCollector(std::string proc_root);

    // false on the first call (primes) and when the files cannot be read.
    bool collect(NetCountersDelta& out);

private:
    DirFd net_;
    std::string snmp_, snmp6_, sockstat_, sockstat6_;
    std::optional<NetCounters> prev_;
};

}  // namespace telehub::agent
