// What passes between a host's in-memory history and the store: the batch of
// points to write with what the hub knows of the host, and a host as read
// back at start. Plain data, so the registry (hub/state) and the store
// (hub/store) share it without depending on each other.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hub/history/history_ring.hpp"

namespace telehub::hub {

// What the hub knows of a host apart from its points.
struct HostMeta {
    std::string host_id;
    std::string hostname;
    std::uint32_t cores = 0;
    std::uint32_t interval_ms = 1000;
    std::int64_t instance = 0;   // the agent instance of `last_seq`
    std::uint64_t last_seq = 0;  // the newest seq of that instance held
    std::int64_t last_seen_ms = 0;
};

struct SaveBatch {
    HostMeta meta;
    PointBatch points;  // of meta.instance; may be empty
};

// One host as read back at start: its points grouped by agent instance,
// oldest instance first and each in seq order, ready for HistoryRing::insert.
struct LoadedHost {
    HostMeta meta;
    struct Run {
        std::int64_t instance = 0;
        std::vector<HistoryEntry> entries;
    };
    std::vector<Run> runs;
};

}  // namespace telehub::hub
