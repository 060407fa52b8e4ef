// "Which program is hurting the fleet?": every host's latest top processes,
// sockets by process and leak suspects, grouped by process name across all
// hosts. A sample replaces its host's shares, kept together with the host,
// and moves each name's running totals by the difference, so ranking the
// names never walks every host; a reply's per-host lists do, once, for the
// rows it returns. Thread-safe behind one mutex held for the update.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "telehub/sample.hpp"

namespace telehub::hub {

enum class FleetSort { cpu, sockets };

// One host's part in a process name's row.
struct FleetProcessHost {
    std::string host_id;
    std::string hostname;
    double cpu = 0;      // its processes of that name together, % of one core
    double cpu_max = 0;  // its busiest process of that name
    std::uint32_t processes = 0;  // listed in its top processes
    std::uint32_t sockets = 0;    // held by its processes of that name (in by_process)
    bool leak = false;            // a leak suspect of that name on this host
};

// One process name across the fleet.
struct FleetProcess {
    std::string name;
    std::uint32_t hosts = 0;      // hosts whose sample lists it
    std::uint32_t processes = 0;  // processes of that name in the top lists
    double cpu_total = 0;         // % of one core, summed
    double cpu_max = 0;           // the busiest single process of that name
    std::uint64_t sockets = 0;    // every socket, of any family
    std::array<std::uint64_t, tcp_state_count> tcp{};
    std::uint64_t udp = 0;
    std::uint64_t unix_ = 0;
    std::uint32_t leak_host_count = 0;
    std::vector<std::string> leak_hosts;    // up to host_list_size ids, in id order
    std::vector<FleetProcessHost> host_list;  // up to host_list_size, by the sort's figure
};

// Where a host's figures sit, kept by its agent's session so that a sample
// needs no lookup of the host id (a cold bucket, node and key for a host
// seen once a second). Stale after remove(): the generation then differs,
// and on_sample looks the id up as without one.
struct FleetHandle {
    std::uint32_t slot = UINT32_MAX;
    std::uint32_t generation = 0;
    // Where the slot was at the last sample: for prefetching only, never
    // read through (the slots may have moved since).
    const void* record_hint = nullptr;
};

class FleetProcesses {
public:
    // Hosts named in each row's host_list and leak_hosts.
    static constexpr std::size_t host_list_size = 20;

    // An accepted sample replaces the host's share. A backfilled sample, or
    // one older than the last taken for the host, is not the host's present
    // and is ignored.
    void on_sample(std::string_view hostname, const Sample& sample, FleetHandle* handle = nullptr);
    // Start loading the handle's host's record and then its shares, a second
    // cold by the time its next sample comes (see HostRegistry::prefetch_record).
    static void prefetch_record(const FleetHandle& handle);
    void prefetch_state(const FleetHandle& handle) const;
    // The host went offline or was forgotten: its share leaves every row.
    void remove(std::string_view host_id);

    // The top `limit` names by total CPU (then sockets) or by sockets (then CPU).
    std::vector<FleetProcess> top(FleetSort sort, std::size_t limit) const;

    std::size_t host_count() const;
    std::size_t name_count() const;

private:
    // One host's figures for one name. CPU in hundredths of a percent so
    // that the running sums subtract back exactly.
    struct Share {
        std::int64_t cpu = 0;
        std::int64_t cpu_max = 0;
        std::uint32_t processes = 0;
        std::uint32_t sockets = 0;
        TcpStateCounts tcp{};
        std::uint32_t udp = 0;
        std::uint32_t unix_ = 0;
        bool leak = false;
    };
    // A name's totals over every host listing it. Few (one per distinct
    // name) and touched by every sample, so they stay in cache; the hosts'
    // own shares are kept with the hosts.
    struct Group {
        std::string name;
        std::uint32_t hosts = 0;  // hosts whose last sample lists the name
        std::int64_t cpu = 0;
        std::uint32_t processes = 0;
        std::uint64_t sockets = 0;
        std::array<std::uint64_t, tcp_state_count> tcp{};
        std::uint64_t udp = 0;
        std::uint64_t unix_ = 0;
        std::uint32_t leak_hosts = 0;
    };
    struct HostShare {
        std::uint32_t group = 0;
        Share share;
    };
    struct HostSlot {
        std::uint32_t generation = 0;  // bumped when the slot is freed
        std::string id;
        std::string hostname;
        std::int64_t last_ms = 0;
        // One per name its last sample listed, contiguous: a sample reads
        // its host's previous shares in one pass instead of one cold line
        // per name.
        std::vector<HostShare> shares;
    };
    struct NameHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    using NameIndex = std::unordered_map<std::string, std::uint32_t, NameHash, std::equal_to<>>;

    static void add(Group& g, const Share& s, int sign);
    std::uint32_t group_locked(std::string_view name);
    void leave_locked(const HostShare& left);
    // What a reply's walk over the hosts gathers for one row: its largest
    // share, its leaking hosts, and every host with the sort's two figures
    // copied beside it, so ranking them reads no share again.
    struct Ranked {
        std::int64_t first = 0;   // the sort's figure
        std::int64_t second = 0;  // the other one
        std::uint32_t slot = 0;
        const Share* share = nullptr;
    };
    struct RowHosts {
        std::int64_t cpu_max = 0;
        std::vector<std::uint32_t> leak_slots;
        std::vector<Ranked> hosts;
    };
    void gather_locked(FleetSort sort, RowHosts& row, std::uint32_t slot, const Share& share) const;
    FleetProcess row_locked(std::uint32_t group, RowHosts& hosts) const;

    mutable std::mutex mu_;
    std::vector<Group> groups_;
    std::vector<std::uint32_t> free_groups_;
    NameIndex by_name_;
    std::vector<HostSlot> slots_;
    std::vector<std::uint32_t> free_slots_;
    NameIndex by_host_;
};

}  // namespace telehub::hub
