// Everything the sessions share, owned by HubServer and alive until every io
// thread has stopped. Each member guards itself (mutex or atomics).
#pragma once

#include <atomic>
#include <cstdint>

#include <memory>
#include <string>

#include "hub/access_tokens.hpp"
#include "hub/agent_directory.hpp"
#include "hub/audit_log.hpp"
#include "hub/command_relay.hpp"
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
    AccessTokens tokens;
    std::string generated_admin_token;  // set when no admin token was configured; printed once at start
    CommandRelay relay;
    std::unique_ptr<AuditLog> audit;
    std::atomic<std::uint64_t> next_conn_id{1};
    std::int64_t started_ms = 0;
};

}  // namespace telehub::hub
