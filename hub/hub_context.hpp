// Everything the sessions share, owned by HubServer and alive until every io
// thread has stopped. Each member guards itself (mutex or atomics).
#pragma once

#include <atomic>
#include <cstdint>

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "hub/alerts/alerts.hpp"
#include "hub/cluster/cluster.hpp"
#include "hub/notify/notify.hpp"
#include "hub/silences/silences.hpp"
#include "hub/api/api.hpp"
#include "hub/auth/auth.hpp"
#include "hub/control/control.hpp"
#include "hub/fleet/fleet.hpp"
#include "hub/state/state.hpp"
#include "hub/background_work.hpp"
#include "hub/hub_config.hpp"
#include "hub/log/log.hpp"
#include "hub/tls/tls.hpp"
#include "hub/live/live.hpp"
#include "hub/store/store.hpp"
#include "hub/metrics/metrics.hpp"

namespace telehub::hub {

struct HubContext {
    explicit HubContext(HubConfig cfg);

    HubConfig config;
    HostRegistry registry;
    HubStats stats;
    AlertBook alerts;
    FleetProcesses fleet;  // GET /api/fleet/processes
    SilenceBook silences;
    TerminalLog log;
    StaticFiles files;
    AgentDirectory agents;
    LiveHub live;
    AccessTokens tokens;
    KeptAdminToken generated_admin;  // set when no admin token was configured (DATA-DIR/admin.token)
    CommandRelay relay;
    std::unique_ptr<AuditLog> audit;
    std::unique_ptr<MetricsScraper> metrics;  // GET /metrics bodies, built off the io threads
    // Work too big for an io thread that a request waits for: a dashboard's
    // snapshot (interactive), the long REST replies (bulk). Drained once the
    // io threads end, `stopping` set so that queued work returns at once.
    BackgroundWork background;
    std::atomic<bool> stopping{false};
    // Long REST replies queued or being built on `background`: past
    // max_background_replies more are refused (503) rather than queued.
    std::atomic<int> background_replies{0};
    static constexpr int max_background_replies = 32;
    // Alert notices, on a thread of its own; its state is kept in
    // DATA-DIR/alerts.json unless --no-persist (docs/alerts.md).
    std::unique_ptr<Notifier> notifier;
    // A newer connection of the same host (here or on another hub): closes
    // `older` with 4000, counted and logged with `why`. Any thread.
    void replace_agent(AgentLink& older, const std::string& host_id, const std::string& why);
    // Alert changes to the terminal and the notifier: every io thread and the summaries thread.
    void alert_changes(const std::vector<AlertEvent>& events);
    std::atomic<std::uint64_t> next_conn_id{1};
    std::int64_t started_ms = 0;
    std::atomic<std::int64_t> last_host_limit_log_ms{0};

    // The history store in DATA-DIR/history.db; null with --no-persist.
    // Hosts are read back from it when the context is made.
    std::unique_ptr<HistoryStore> store;
    std::size_t restored_hosts = 0;
    std::int64_t restore_ms = 0;
    void save(std::optional<SaveBatch>&& batch) {
        if (batch && store) store->save(std::move(*batch));
    }
    // Hosts the registry forgot: their stored history goes too, with a log line.
    void forgotten(const std::vector<std::string>& host_ids, const std::string& why);
    // Forgets a host held here, unless its agent is connected: the registry,
    // then forgotten() with `why`.
    ForgetResult forget_here(const std::string& host_id, const std::string& why);

    // TLS: null when the hub serves plain HTTP only (a loopback listen address
    // and no --tls-cert). tls_generated: the certificate was made by this start.
    std::unique_ptr<ServerTls> tls;
    bool tls_generated = false;
    std::vector<boost::asio::ip::address> plain_from;
    bool plain_allowed(const boost::asio::ip::address& peer) const;

    // SIGHUP with --config: applies what changes while every connection
    // stays, the high-cpu mark and every token and token/credentials file, from
    // the re-read `next`. Throws (having changed nothing) when a token file is
    // bad. `config` keeps the start-up values; the caller compares the rest.
    void apply_reload(const HubConfig& next);

    // With --cluster: this hub's membership, and the other hubs' hosts its
    // lists merge in (docs/cluster.md); null when the hub is alone. Last, so
    // it stops first: its thread reads the registry.
    std::unique_ptr<ClusterMember> cluster;
    const RemoteHosts* remote_hosts() const { return cluster.get(); }
};

// --check-config: reads every token and credentials file `c` names and loads
// the web root, the certificate and key and the rules, as a start would;
// throws std::runtime_error naming the first problem. Returns what is worth a
// warning but would not stop the hub (a certificate expiring soon).
std::vector<std::string> check_hub_files(const HubConfig& c);

}  // namespace telehub::hub
