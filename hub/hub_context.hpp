// Everything the sessions share, owned by HubServer and alive until every io
// thread has stopped. Each member guards itself (mutex or atomics).
#pragma once

#include <atomic>
#include <cstdint>

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "hub/api/api.hpp"
#include "hub/control/control.hpp"
#include "hub/state/state.hpp"
#include "hub/hub_config.hpp"
#include "hub/log/log.hpp"
#include "hub/tls/tls.hpp"
#include "hub/live/live.hpp"
#include "hub/metrics/metrics.hpp"

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
    std::unique_ptr<MetricsScraper> metrics;  // GET /metrics bodies, built off the io threads
    std::atomic<std::uint64_t> next_conn_id{1};
    std::int64_t started_ms = 0;

    // TLS: null when the hub serves plain HTTP only (a loopback listen address
    // and no --tls-cert). tls_generated: the certificate was made by this start.
    std::unique_ptr<ServerTls> tls;
    bool tls_generated = false;
    std::vector<boost::asio::ip::address> plain_from;
    bool plain_allowed(const boost::asio::ip::address& peer) const;
};

}  // namespace telehub::hub
