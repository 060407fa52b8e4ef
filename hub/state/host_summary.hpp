// What the hub shows of one host in lists and once-a-second summaries
// (docs/protocol.md, "host summary"). Plain data: the registry fills it, the
// summary builder turns it into JSON, the filter matches on it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace telehub::hub {

// Who a host is and whether it is online: what the alerts' once-a-second
// offline tick needs, without building a whole summary per host.
struct HostPresenceRow {
    std::string host_id;
    std::string hostname;
    bool online = false;
};

struct HostSummary {
    std::string host_id;
    std::string hostname;
    bool online = false;
    std::int64_t last_seen_ms = 0;  // hub clock, unix ms
    bool hot = false;               // online and cpu >= the high-CPU threshold
    double cpu = 0;
    std::uint32_t cores = 0;
    double load1 = 0;
    std::uint64_t mem_total = 0;
    std::uint64_t mem_available = 0;
    int top_pid = 0;
    std::string top_name;
    double top_cpu = 0;
    std::uint32_t tcp_established = 0;
    std::uint32_t tcp_listen = 0;
    std::uint32_t sockets_total = 0;
    std::uint64_t seq = 0;
    std::uint32_t interval_ms = 0;
    std::uint64_t gaps = 0;
    std::uint32_t leaks = 0;  // current leak suspects (latest sample)
    std::uint32_t containers = 0;  // the latest sample's containers_total
    // Names of the containers the latest sample listed (its top by CPU and
    // those with leaks): what ?container=NAME matches. Not sent in summaries.
    std::vector<std::string> container_names;
    // TCP opens per second when the agent's kernel counters were exact,
    // else the sampled sum of sockets opened per second.
    double opens_per_s = 0;
    // The cluster's hub that holds the host (docs/cluster.md); empty without --cluster.
    std::string hub;
};

// A summary with its recent CPU totals, oldest first (snapshot frames).
struct HostSnapshot {
    HostSummary summary;
    std::vector<double> spark;
};

// Fleet-wide counts, whatever filter a client uses.
struct HostCounts {
    std::size_t online = 0;
    std::size_t offline = 0;
    std::size_t hot = 0;
    std::size_t total = 0;
};

}  // namespace telehub::hub
