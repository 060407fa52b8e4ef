// Everything the sessions share, owned by HubServer and alive until every io
// thread has stopped. Each member guards itself (mutex or atomics).
#pragma once

#include <atomic>
#include <cstdint>

#include "hub/agent_directory.hpp"
#include "hub/host_registry.hpp"
#include "hub/hub_config.hpp"
#include "hub/hub_stats.hpp"
#include "hub/live_hub.hpp"
#include "hub/static_files.hpp"
#include "hub/terminal_log.hpp"

namespace telehub::hub {

struct HubContext {
    explicit HubContext(HubConfig cfg);

    HubConfig config;
    HostRegistry registry;
    HubStats stats;
    TerminalLog log;
    StaticFiles files;
    AgentDirectory agents;
    LiveHub live;
    std::atomic<std::uint64_t> next_conn_id{1};
    std::int64_t started_ms = 0;
};

}  // namespace telehub::hub
