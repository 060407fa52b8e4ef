#include "hub/hub_server.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "hub/net/net.hpp"
#include "hub/hub_context.hpp"

namespace telehub::hub {
namespace net = boost::asio;

namespace {

constexpr auto summary_period = std::chrono::seconds(1);
constexpr auto shutdown_grace = std::chrono::seconds(3);  // for close handshakes to finish

}  // namespace

struct HubServer::Impl {
    explicit Impl(HubConfig config)
        : ctx(std::move(config)),
          ioc(static_cast<int>(ctx.config.threads)),
          listener(std::make_shared<Listener>(
              ioc, net::ip::tcp::endpoint(net::ip::make_address(ctx.config.listen_address), ctx.config.listen_port),
              ctx)),
          signals(ioc, SIGINT, SIGTERM),
          reload_signal(ioc, SIGHUP),
          shutdown_poll(net::make_strand(ioc)) {}

    ~Impl() {
        // Also when run() left by an exception.
        stop_summaries();
        if (summary_thread.joinable()) summary_thread.join();
    }

    // Summaries are built and handed to the dashboards on a thread of their
    // own: at 10,000 hosts that is tens of ms a second which, on an io thread,
    // would hold up every sample behind it (and the detail frames' latency).
    void run_summaries() {
        auto next = std::chrono::steady_clock::now() + summary_period;
        std::unique_lock lock(summary_mu);
        while (!summary_cv.wait_until(lock, next, [this] { return summary_stop; })) {
            lock.unlock();
            ctx.live.broadcast_summaries(ctx.registry, HostRegistry::system_clock_ms());
            close_idle_agents();
            lock.lock();
            next += summary_period;
            if (auto now = std::chrono::steady_clock::now(); next < now) next = now + summary_period;
        }
    }

    void close_idle_agents() {
        const auto now = steady_clock_ms();
        const std::int64_t limit = std::int64_t(ctx.config.agent_idle_s) * 1000;
        for (auto& link : ctx.agents.all()) link->close_if_idle(now, limit);
    }

    // SIGHUP: the credentials files and the certificate are read again
    // (small files, once per signal, so on the io thread). Agents whose
    // credential is gone are closed with 4001; every other connection stays.
    // A bad file is logged and the previous table or certificate stays.
    void wait_reload() {
        reload_signal.async_wait([this](boost::system::error_code ec, int) {
            if (ec) return;
            try {
                ctx.tokens.reload();
                ctx.log.event("reloaded the credentials files");
                for (auto& link : ctx.agents.all()) link->recheck_credential();
                for (auto& live : ctx.live.all()) live->recheck_credential();
            } catch (const std::exception& e) {
                ctx.log.event(std::string("credentials reload failed, keeping the previous ones: ") + e.what());
            }
            if (ctx.tls) {
                try {
                    ctx.tls->reload();
                    ctx.log.event("reloaded the TLS certificate " + ctx.tls->cert_file() + " (" + ctx.tls->fingerprint() + ")");
                } catch (const std::exception& e) {
                    ctx.log.event(std::string("TLS reload failed, keeping the previous certificate: ") + e.what());
                }
            }
            wait_reload();
        });
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

    // Declared before the io_context: handlers still queued at exit hold
    // sessions whose destructors use the context.
    HubContext ctx;
    net::io_context ioc;
    std::shared_ptr<Listener> listener;
    net::signal_set signals;
    net::signal_set reload_signal;
    net::steady_timer shutdown_poll;
    bool stopping = false;  // touched only on shutdown_poll's strand
    std::thread summary_thread;
    std::mutex summary_mu;
    std::condition_variable summary_cv;
    bool summary_stop = false;
    std::chrono::steady_clock::time_point deadline;
};

HubServer::HubServer(HubConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
HubServer::~HubServer() = default;

int HubServer::run() {
    auto& im = *impl_;
    const auto& c = im.ctx.config;
    auto host = c.listen_address == "0.0.0.0" || c.listen_address == "::" ? std::string("127.0.0.1") : c.listen_address;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    const std::string scheme = im.ctx.tls ? "https" : "http";
    im.ctx.log.event("telehub listening on " + scheme + "://" + c.listen_address + ":" + std::to_string(c.listen_port) +
                     " (" + std::to_string(c.threads) + " io threads, web root " + im.ctx.files.root().string() +
                     (im.ctx.tls ? ", TLS with " + im.ctx.tls->cert_file() : std::string(", plain HTTP")) + ")");
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
    if (!im.ctx.generated_admin_token.empty()) {
        // Like a notebook server: the one place a token is ever shown, so the operator can open the dashboard.
        std::printf("telehub: no --admin-token given; generated one for this run. Dashboard with control:\n"
                    "    %s://%s:%u/?token=%s\n",
                    scheme.c_str(), host.c_str(), static_cast<unsigned>(c.listen_port),
                    im.ctx.generated_admin_token.c_str());
        std::fflush(stdout);
    }
    im.signals.async_wait([&im](boost::system::error_code ec, int) {
        if (!ec) im.begin_shutdown();
    });
    im.wait_reload();
    im.listener->run();
    im.summary_thread = std::thread([&im] { im.run_summaries(); });
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < c.threads; ++i) threads.emplace_back([&im] { im.ioc.run(); });
    im.ioc.run();
    for (auto& t : threads) t.join();
    im.stop_summaries();
    im.summary_thread.join();
    im.ctx.audit->stop();  // while the io_context its callbacks post to still exists
    im.ctx.metrics->stop();
    im.ctx.log.event("telehub stopped");
    return 0;
}

}  // namespace telehub::hub
