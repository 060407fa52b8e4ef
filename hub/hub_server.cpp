#include "hub/hub_server.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "hub/net/net.hpp"
#include "hub/batched_run.hpp"
#include "hub/hub_context.hpp"
#include "hub/service_notify.hpp"

namespace telehub::hub {
namespace net = boost::asio;

namespace {

constexpr auto summary_period = std::chrono::seconds(1);
constexpr auto shutdown_grace = std::chrono::seconds(3);  // for close handshakes to finish

}  // namespace

struct HubServer::Impl {
    Impl(HubConfig config, ConfigReader reader)
        : running(config),
          reread(std::move(reader)),
          ctx(std::move(config)),
          ioc(static_cast<int>(ctx.config.threads)),
          listener(std::make_shared<Listener>(
              ioc, net::ip::tcp::endpoint(net::ip::make_address(ctx.config.listen_address), ctx.config.listen_port),
              ctx)),
          signals(ioc, SIGINT, SIGTERM),
          reload_signal(ioc, SIGHUP),
          shutdown_poll(net::make_strand(ioc)),
          watchdog_timer(ioc) {
        if (ctx.cluster) ctx.cluster->serve_commands_on(ioc.get_executor());
    }

    ~Impl() {
        // Also when run() left by an exception.
        stop_summaries();
        if (summary_thread.joinable()) summary_thread.join();
        ctx.cluster.reset();  // its thread may post to ioc, destroyed before ctx
    }

    // Summaries are built and handed to the dashboards on a thread of their
    // own: at 10,000 hosts that is tens of ms a second which, on an io thread,
    // would hold up every sample behind it (and the detail frames' latency).
    void run_summaries() {
        auto next = std::chrono::steady_clock::now() + summary_period;
        std::unique_lock lock(summary_mu);
        while (!summary_cv.wait_until(lock, next, [this] { return summary_stop; })) {
            lock.unlock();
            ctx.live.broadcast_summaries(ctx.registry, HostRegistry::system_clock_ms(), ctx.config.live_part_hosts,
                                         ctx.remote_hosts());
            tick_alerts();
            if (++idle_sweep_ticks >= idle_sweep_period_s()) {
                idle_sweep_ticks = 0;
                close_idle_agents();
            }
            ctx.forgotten(ctx.registry.forget_idle(HostRegistry::system_clock_ms() - ctx.config.forget_after_ms),
                          "(not seen for --forget-after)");
            lock.lock();
            next += summary_period;
            if (auto now = std::chrono::steady_clock::now(); next < now) next = now + summary_period;
        }
    }

    // Offline rules move on the clock, not on samples: once a second, with
    // the hosts the registry has offline. Those also leave the fleet
    // processes (a no-op lookup for those already gone).
    void tick_alerts() {
        const auto hosts = ctx.registry.offline_hosts();
        std::vector<OfflineHost> offline;
        offline.reserve(hosts.size());
        for (const auto& h : hosts) {
            // A host that moved to another hub of the cluster is not down: no offline alert here
            // (and one already firing resolves).
            if (ctx.cluster && ctx.cluster->online_elsewhere(h.host_id)) continue;
            offline.push_back({h.host_id, h.hostname});
            // An offline host's processes are not running anywhere we can see.
            ctx.fleet.remove(h.host_id);
        }
        std::vector<AlertEvent> events;
        ctx.alerts.on_tick(HostRegistry::system_clock_ms(), offline, events);
        ctx.alert_changes(events);
    }

    // The idle sweep touches every agent (a reference to each, taken under
    // the directory's lock): at 10,000 agents the largest part of this
    // thread's second. A tenth of the timeout apart is close enough, so an
    // agent is closed between the timeout and 1.1 times it (1 s at most
    // beyond it for timeouts under 20 s).
    std::uint32_t idle_sweep_period_s() const { return std::max<std::uint32_t>(1, ctx.config.agent_idle_s / 10); }

    void close_idle_agents() {
        const auto now = steady_clock_ms();
        const std::int64_t limit = std::int64_t(ctx.config.agent_idle_s) * 1000;
        for (auto& link : ctx.agents.all()) link->close_if_idle(now, limit);
    }

    // SIGHUP: with --config the whole configuration is read again and what
    // can change while connections stay is applied (HubContext::apply_reload);
    // without it the credentials files, after the audit log and a --log-file
    // are reopened (logrotate); then the certificate is read again. Small files, once per signal,
    // so on the io thread. Agents whose credential is gone are closed with
    // 4001; every other connection stays. Anything bad is logged, the
    // previous settings, table or certificate stay, and systemd's STATUS=
    // says so until the next reload (`systemctl status telehub`).
    void wait_reload() {
        reload_signal.async_wait([this](boost::system::error_code ec, int) {
            if (ec) return;
            notifier.reloading();
            // Reopened first, so that what this reload logs lands in the new files.
            ctx.audit->reopen();
            ctx.log.reopen();
            std::string failed = reload_settings();
            if (ctx.tls) {
                try {
                    ctx.tls->reload();
                    ctx.log.event("reloaded the TLS certificate " + ctx.tls->cert_file() + " (" + ctx.tls->fingerprint() + ")");
                    if (auto w = ctx.tls->validity_warning(); !w.empty()) ctx.log.event("warning: " + w);
                } catch (const std::exception& e) {
                    ctx.log.event(std::string("TLS reload failed, keeping the previous certificate: ") + e.what());
                    if (failed.empty()) failed = std::string("the TLS certificate: ") + e.what();
                }
            }
            notifier.ready(failed.empty() ? status_line() : "last reload failed (" + failed + "); " + status_line());
            wait_reload();
        });
    }

    // What failed, for systemd's STATUS=; empty when all was applied.
    std::string reload_settings() {
        std::optional<HubConfig> next;
        if (reread) {
            try {
                next = reread();
            } catch (const std::exception& e) {
                ctx.log.event(std::string("configuration reload failed, keeping the previous settings: ") + e.what());
                return std::string("the configuration: ") + e.what();
            }
        }
        try {
            if (next) ctx.apply_reload(*next);
            else ctx.tokens.reload();
        } catch (const std::exception& e) {
            ctx.log.event(std::string("credentials reload failed, keeping the previous ones: ") + e.what());
            return std::string("the credentials: ") + e.what();
        }
        ctx.log.event(std::string("reloaded the credentials files") +
                      (!next ? "" : " and the token files") +
                      (next && !running.config_file.empty() ? " and the settings in " + running.config_file : ""));
        for (auto& link : ctx.agents.all()) link->recheck_credential();
        for (auto& live : ctx.live.all()) live->recheck_credential();
        if (next) note_restart_settings(*next);
        return {};
    }

    // Whatever else changed needs a new listener, threads or files: say which.
    void note_restart_settings(const HubConfig& next) {
        if (auto keys = restart_only_changes(running, next); !keys.empty()) {
            std::string list;
            for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
            ctx.log.event("changed, but applied only at the next restart: " + list +
                          " (a reload applies high_cpu, the tokens and the token and credentials files)");
        }
        take_reloadable(running, next);
    }

    // WATCHDOG=1 from an io thread: if the io loop stops turning, systemd
    // stops hearing from it and restarts the hub after WatchdogSec=.
    void feed_watchdog(std::chrono::microseconds period) {
        notifier.watchdog();
        watchdog_timer.expires_after(period);
        watchdog_timer.async_wait([this, period](boost::system::error_code ec) {
            if (!ec) feed_watchdog(period);
        });
    }

    std::string status_line() const {
        return "serving " + std::to_string(ctx.agents.size()) + " agents on " + ctx.config.listen_address + ":" +
               std::to_string(ctx.config.listen_port);
    }

    void stop_summaries() {
        {
            std::lock_guard lock(summary_mu);
            summary_stop = true;
        }
        summary_cv.notify_one();
    }

    void begin_shutdown() {
        net::post(shutdown_poll.get_executor(), [this] {
            if (stopping) return;
            stopping = true;
            notifier.stopping();
            watchdog_timer.cancel();
            stop_summaries();
            ctx.log.event("shutting down: closing " + std::to_string(ctx.agents.size()) + " agent and " +
                          std::to_string(ctx.live.size()) + " live connections");
            listener->stop();
            reload_signal.cancel();
            for (auto& a : ctx.agents.all()) a->shutdown();
            for (auto& l : ctx.live.all()) l->shutdown();
            deadline = std::chrono::steady_clock::now() + shutdown_grace;
            poll_shutdown();
        });
    }

    void poll_shutdown() {
        if ((ctx.agents.size() == 0 && ctx.live.size() == 0) || std::chrono::steady_clock::now() >= deadline) {
            ioc.stop();  // idle HTTP keep-alive connections are simply dropped
            return;
        }
        shutdown_poll.expires_after(std::chrono::milliseconds(20));
        shutdown_poll.async_wait([this](boost::system::error_code) { poll_shutdown(); });
    }

    HubConfig running;     // as last applied: the start-up one, then each reload's
    ConfigReader reread;   // empty: no --config to read again
    ServiceNotifier notifier;
    // Declared before the io_context: handlers still queued at exit hold
    // sessions whose destructors use the context.
    HubContext ctx;
    net::io_context ioc;
    std::shared_ptr<Listener> listener;
    net::signal_set signals;
    net::signal_set reload_signal;
    net::steady_timer shutdown_poll;
    net::steady_timer watchdog_timer;
    bool stopping = false;  // touched only on shutdown_poll's strand
    std::thread summary_thread;
    std::mutex summary_mu;
    std::condition_variable summary_cv;
    bool summary_stop = false;
    std::uint32_t idle_sweep_ticks = 0;  // summaries thread only
    std::chrono::steady_clock::time_point deadline;
};

HubServer::HubServer(HubConfig config, ConfigReader reread)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(reread))) {}
HubServer::~HubServer() = default;

int HubServer::run() {
    auto& im = *impl_;
    const auto& c = im.ctx.config;
    const bool wildcard = c.listen_address == "0.0.0.0" || c.listen_address == "::";
    // What other machines type: on a wildcard address this machine's name, which the generated certificate names.
    auto host = wildcard ? local_host_name() : c.listen_address;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    const auto listen = c.listen_address.find(':') != std::string::npos ? "[" + c.listen_address + "]" : c.listen_address;
    const std::string scheme = im.ctx.tls ? "https" : "http";
    im.ctx.log.event("telehub listening on " + scheme + "://" + listen + ":" + std::to_string(c.listen_port) +
                     " (" + std::to_string(c.threads) + " io threads, web root " + im.ctx.files.root().string() +
                     (im.ctx.tls ? ", TLS with " + im.ctx.tls->cert_file() : std::string(", plain HTTP")) + ")");
    if (im.ctx.tls)
        if (auto w = im.ctx.tls->validity_warning(); !w.empty()) im.ctx.log.event("warning: " + w);
    // The listen address was checked with the flags, as hub_config's own loopback test relies on.
    if (!im.ctx.tokens.requires_viewer_token() && !boost::asio::ip::make_address(c.listen_address).is_loopback())
        im.ctx.log.event("reads are open: anyone who can reach " + listen + ":" + std::to_string(c.listen_port) +
                         " reads /api/hosts, /metrics and the live dashboard; give --viewer-tokens-file to require a "
                         "viewer token (docs/tls.md)");
    if (im.ctx.store)
        im.ctx.log.event("history store " + im.ctx.store->path() + ": restored " + std::to_string(im.ctx.restored_hosts) +
                         " hosts in " + std::to_string(im.ctx.restore_ms) + " ms");
    if (im.ctx.tls && c.tls_cert.empty()) {
        // The operator's one chance to learn what agents should pin, printed like ssh's host key line.
        std::printf("telehub: %s self-signed certificate %s\n"
                    "    fingerprint %s\n"
                    "    agents pin it with:\n"
                    "    telehub-agent --hub wss://%s:%u/ws/agent --hub-fingerprint %s --token-file FILE\n",
                    im.ctx.tls_generated ? "generated a" : "using the", im.ctx.tls->cert_file().c_str(),
                    im.ctx.tls->fingerprint().c_str(), host.c_str(), static_cast<unsigned>(c.listen_port),
                    im.ctx.tls->fingerprint().c_str());
        std::fflush(stdout);
    }
    if (const auto& admin = im.ctx.generated_admin; !admin.token.empty()) {
        const std::string url = scheme + "://" + host + ":" + std::to_string(c.listen_port) + "/?token=";
        // The token itself only to a terminal, or when it lasts this run alone: a service's
        // journal gets the file's name, which only the hub's user and root may read.
        if (!admin.problem.empty())
            std::printf("telehub: no admin token configured; made one for this run (%s). Dashboard with control:\n    %s%s\n",
                        admin.problem.c_str(), url.c_str(), admin.token.c_str());
        else if (::isatty(STDOUT_FILENO))
            std::printf("telehub: no admin token configured; using the one kept in %s. Dashboard with control:\n    %s%s\n",
                        admin.file.c_str(), url.c_str(), admin.token.c_str());
        else
            std::printf("telehub: no admin token configured; the one kept in %s opens process control:\n    %s$(cat %s)\n",
                        admin.file.c_str(), url.c_str(), admin.file.c_str());
        std::fflush(stdout);
    }
    im.signals.async_wait([&im](boost::system::error_code ec, int) {
        if (!ec) im.begin_shutdown();
    });
    im.wait_reload();
    im.listener->run();
    // The listener has been listening since it was made, so clients that
    // systemd starts after this (After=telehub.service) find the port open.
    im.notifier.ready(im.status_line());
    if (auto period = ServiceNotifier::watchdog_period()) im.feed_watchdog(*period);
    im.ctx.notifier->start();
    im.summary_thread = std::thread([&im] { im.run_summaries(); });
    std::vector<std::thread> threads;
    const std::chrono::microseconds batch{static_cast<std::int64_t>(c.io_batch_ms * 1000)};
    for (unsigned i = 1; i < c.threads; ++i) threads.emplace_back([&im, batch] { batched_run(im.ioc, batch); });
    batched_run(im.ioc, batch);
    for (auto& t : threads) t.join();
    im.stop_summaries();
    im.summary_thread.join();
    // What is queued is for sessions that are gone: it returns at once, and
    // the sessions it holds are let go here, while the io_context exists.
    im.ctx.stopping = true;
    im.ctx.background.join();
    im.ctx.notifier->stop();  // after the last change was handed to it; keeps what is undelivered
    im.ctx.audit->stop();  // while the io_context its callbacks post to still exists
    if (im.ctx.store) {
        // Every host's newest points, so the next start welcomes each agent
        // with the seq it really stopped at.
        auto batches = im.ctx.registry.take_all_unsaved();
        const auto n = batches.size();
        for (auto& b : batches) im.ctx.store->save(std::move(b));
        im.ctx.store->stop();
        im.ctx.log.event("history saved to " + im.ctx.store->path() + " (the last points of " + std::to_string(n) + " hosts)");
    }
    im.ctx.metrics->stop();  // its bodies read the cluster's state
    // Other hubs' commands run on this hub's io_context: the cluster's thread
    // ends before it does.
    im.ctx.cluster.reset();
    im.ctx.log.event("telehub stopped");
    return 0;
}

}  // namespace telehub::hub
