#include "loadgen/loadgen_run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "loadgen/agent_fleet.hpp"
#include "loadgen/dashboard_clients.hpp"
#include "loadgen/fd_limit.hpp"
#include "loadgen/http_get.hpp"
#include "loadgen/hub_process.hpp"
#include "loadgen/live_frame.hpp"
#include "loadgen/metrics_scrapes.hpp"
#include "loadgen/proc_probe.hpp"
#include "loadgen/tls_client.hpp"
#include "telehub/cert_fingerprint.hpp"

namespace telehub::loadgen {
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto http_timeout = std::chrono::seconds(5);
constexpr auto hub_start_timeout = std::chrono::seconds(15);

void progress(const std::string& s) { std::fprintf(stderr, "telehub-loadgen: %s\n", s.c_str()); }

std::int64_t system_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A directory of our own under /tmp, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "telehub-loadgen-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("cannot make a temporary data dir for the hub");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// The counters at one edge of a window.
struct Edge {
    Clock::time_point at;
    std::int64_t sys_us = 0;
    std::uint64_t sent = 0, blocked = 0, bytes = 0, resets = 0;
    std::optional<std::uint64_t> hub_counted, hub_ticks, own_ticks;
    std::optional<std::uint64_t> history_bytes, history_points;  // the hub's own account
    std::optional<std::uint64_t> store_bytes, disk_bytes;  // handed to its history store / written to storage
};

class Run {
public:
    Run(const LoadgenOptions& o, const std::atomic<bool>& interrupted)
        : o_(o), interrupted_(interrupted), deadline_(Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                                       std::chrono::duration<double>(o.max_seconds))) {}

    RunResult go();

private:
    bool should_stop() const { return interrupted_.load() || Clock::now() >= deadline_; }
    // Sleeps until `until`, returning false if the run must stop first.
    bool wait_until(Clock::time_point until) const {
        while (Clock::now() < until) {
            if (should_stop()) return false;
            std::this_thread::sleep_for(std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(50)));
        }
        return !should_stop();
    }
    void start_hub();
    void wait_for_health(const char* which);
    Edge edge();
    WindowResult measure(std::size_t agents);
    RestartResult restart();
    ChurnResult churn_check();
    void check_hub_view(RestartResult& r, const std::vector<AgentState>& at_kill);

    const LoadgenOptions& o_;
    const std::atomic<bool>& interrupted_;
    Clock::time_point deadline_;
    net::ip::tcp::endpoint hub_;
    std::unique_ptr<TempDir> data_dir_;  // a spawned TLS hub's; outlives the hub
    std::vector<std::string> hub_args_;  // after --listen, for a restart
    std::uint64_t hub_fd_need_ = 0;
    std::unique_ptr<HubProcess> spawned_;
    std::unique_ptr<net::ssl::context> tls_ctx_;
    std::string tls_pin_;
    std::optional<pid_t> hub_pid_;
    ProcProbe probe_;
    FleetShared shared_;
    std::unique_ptr<SendTimes> send_times_;
    std::unique_ptr<DashboardClients> dashboards_;
    std::unique_ptr<AgentFleet> fleet_;
    std::size_t detail_count_ = 0;
};

void Run::start_hub() {
    std::size_t max_agents = o_.ramp ? o_.ramp_steps.back() : o_.agents;
    std::uint64_t hub_need = max_agents + o_.dashboards + 256;
    hub_fd_need_ = hub_need;
    if (!o_.spawn_hub.empty()) {
        std::vector<std::string> args{"--threads", std::to_string(o_.hub_threads)};
        if (o_.hub_log == "quiet") args.push_back("--quiet");
        else args.insert(args.end(), {"--log-format", o_.hub_log});
        if (o_.hub_log_rate) args.insert(args.end(), {"--log-rate", std::to_string(*o_.hub_log_rate)});
        // The hub keeps its history store (and, with TLS, its certificate and
        // session ticket keys) here; a restarted hub finds them again.
        data_dir_ = std::make_unique<TempDir>();
        args.insert(args.end(), {"--data-dir", data_dir_->path()});
        if (!o_.hub_persist) args.push_back("--no-persist");
        if (o_.tls) args.push_back("--self-signed-tls");
        if (!o_.hub_rules.empty()) args.insert(args.end(), {"--rules", o_.hub_rules});
        hub_args_ = args;
        spawned_ = std::make_unique<HubProcess>(o_.spawn_hub, args, o_.hub_output, HubSpawn{0, hub_need, false});
        hub_ = {net::ip::make_address("127.0.0.1"), spawned_->port()};
        hub_pid_ = spawned_->pid();
        progress("started hub " + o_.spawn_hub + " (pid " + std::to_string(spawned_->pid()) + ") on 127.0.0.1:" +
                 std::to_string(spawned_->port()) + " with --data-dir " + data_dir_->path() + (o_.hub_persist ? "" : " --no-persist") +
                 (o_.tls ? " --self-signed-tls" : "") + (o_.hub_rules.empty() ? "" : " --rules " + o_.hub_rules));
    } else {
        hub_ = {net::ip::make_address(o_.hub_address), o_.hub_port};
    }
    wait_for_health("hub");
    // telehub-hub-floor says so in its stats: it answers no dashboard, so their verdicts mean nothing there.
    if (auto stats = http_get(hub_, "/api/stats", http_timeout);
        stats.status == 200 && stats.body.find("\"floor\":true") != std::string::npos)
        progress("the hub is telehub-hub-floor: it serves no dashboards (no summaries, no detail, no latency); "
                 "compare it with a hub run with the same --dashboards 0 --detail 0");
    if (!hub_pid_) hub_pid_ = o_.hub_pid;
    if (!hub_pid_ && hub_.address().is_loopback()) hub_pid_ = probe_.listener_pid(hub_.port());
    if (!hub_pid_) progress("warning: hub pid not found (give --hub-pid); hub CPU and RSS will not be measured");
    if (hub_pid_) {
        auto err = raise_fd_limit_of(*hub_pid_, hub_need);
        if (!err.empty()) progress("warning: hub (pid " + std::to_string(*hub_pid_) + "): " + err);
    }
    if (o_.tls) {
        if (!o_.spawn_hub.empty()) {
            tls_pin_ = pem_fingerprint((std::filesystem::path(data_dir_->path()) / "tls" / "hub-cert.pem").string());
            if (tls_pin_.empty())
                throw std::runtime_error("the spawned hub made no readable certificate in " + data_dir_->path() + "/tls");
        } else if (!o_.tls_fingerprint.empty()) {
            auto pin = normalize_fingerprint(o_.tls_fingerprint);
            if (!pin) throw std::runtime_error("invalid value for --tls-fingerprint: not sha256:HEX (32 bytes)");
            tls_pin_ = *pin;
        }
        tls_ctx_ = make_agent_tls_context(tls_pin_);
        progress(tls_pin_.empty() ? "agents use wss:// without verifying the hub's certificate"
                                  : "agents use wss://, the hub's certificate pinned to " + tls_pin_);
    }
}

void Run::wait_for_health(const char* which) {
    auto where = hub_.address().to_string() + ":" + std::to_string(hub_.port());
    auto until = Clock::now() + hub_start_timeout;
    HttpResult health;
    for (;;) {
        health = http_get(hub_, "/healthz", http_timeout);
        if (health.status == 200) break;
        if (spawned_ && !spawned_->running())
            throw std::runtime_error(std::string("the spawned ") + which + " exited at start-up (" + spawned_->stop() +
                                     "); its output is in " + o_.hub_output);
        if (!spawned_ || Clock::now() >= until || should_stop())
            throw std::runtime_error("no hub answers GET /healthz at " + where + " (" +
                                     (health.error.empty() ? "status " + std::to_string(health.status) : health.error) +
                                     "); start one or use --spawn-hub PATH");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

Edge Run::edge() {
    auto& c = shared_.counters;
    Edge e;
    auto before = Clock::now();
    auto s1 = c.sent.load(), b1 = c.blocked.load(), y1 = c.bytes_sent.load();
    auto stats = http_get(hub_, "/api/stats", http_timeout);
    auto s2 = c.sent.load(), b2 = c.blocked.load(), y2 = c.bytes_sent.load();
    auto after = Clock::now();
    // The hub read its counter somewhere between the two readings of ours.
    e.at = before + (after - before) / 2;
    e.sys_us = system_us() - std::chrono::duration_cast<std::chrono::microseconds>(after - e.at).count();
    e.sent = (s1 + s2) / 2;
    e.blocked = (b1 + b2) / 2;
    e.bytes = (y1 + y2) / 2;
    e.resets = c.pacer_resets.load();
    if (stats.status == 200) {
        e.hub_counted = read_counter(stats.body, "samples_received");
        e.history_bytes = read_counter(stats.body, "history_bytes");
        e.history_points = read_counter(stats.body, "history_points");
        e.store_bytes = read_counter(stats.body, "bytes_written");
    }
    else progress("GET /api/stats failed: " + (stats.error.empty() ? "status " + std::to_string(stats.status) : stats.error));
    if (hub_pid_) e.hub_ticks = probe_.cpu_ticks(*hub_pid_);
    if (hub_pid_) e.disk_bytes = probe_.write_bytes(*hub_pid_);
    e.own_ticks = probe_.cpu_ticks(::getpid());
    return e;
}

WindowResult Run::measure(std::size_t agents) {
    WindowResult r;
    r.agents = agents;
    r.interval_ms = o_.interval_ms;
    r.detail_hosts = detail_count_;
    auto window = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.window_s));
    auto a = edge();
    std::unique_ptr<MetricsScrapes> scrapes;
    if (o_.scrape_metrics_s > 0)
        scrapes = std::make_unique<MetricsScrapes>(hub_, o_.scrape_path, std::chrono::duration<double>(o_.scrape_metrics_s),
                                                   system_us);
    wait_until(a.at + window);
    if (scrapes) scrapes->stop();
    auto b = edge();
    r.window_s = std::chrono::duration<double>(b.at - a.at).count();
    r.sent = b.sent - a.sent;
    r.blocked = b.blocked - a.blocked;
    r.mean_frame_bytes = r.sent ? double(b.bytes - a.bytes) / double(r.sent) : 0;
    if (a.hub_counted && b.hub_counted) r.hub_counted = *b.hub_counted - *a.hub_counted;
    const double tps = ProcProbe::ticks_per_second();
    if (a.hub_ticks && b.hub_ticks) {
        double cpu_s = double(*b.hub_ticks - *a.hub_ticks) / tps;
        r.hub_cpu_percent = 100 * cpu_s / r.window_s;
        if (r.hub_counted && *r.hub_counted > 0) r.hub_cpu_us_per_sample = cpu_s * 1e6 / double(*r.hub_counted);
    }
    if (hub_pid_)
        if (auto kb = probe_.rss_kb(*hub_pid_)) r.hub_rss_mb = double(*kb) / 1024;
    r.hub_history_bytes = b.history_bytes;
    if (a.store_bytes && b.store_bytes) r.hub_store_bytes = *b.store_bytes - *a.store_bytes;
    if (a.disk_bytes && b.disk_bytes) r.hub_disk_write_bytes = *b.disk_bytes - *a.disk_bytes;
    r.hub_history_points = b.history_points;
    if (a.own_ticks && b.own_ticks) r.loadgen_cpu_percent = 100 * double(*b.own_ticks - *a.own_ticks) / tps / r.window_s;
    auto& c = shared_.counters;
    r.connect_failures = c.connect_failures.load();
    r.disconnects = c.disconnects.load();
    r.pacer_resets = b.resets - a.resets;
    r.agents_welcomed = std::size_t(c.welcomed.load() - std::min(c.welcomed.load(), r.disconnects));
    {
        auto& rec = dashboards_->record();
        std::lock_guard lock(rec.mu);
        std::vector<std::int64_t> at, lat;
        for (const auto& p : rec.latency)
            if (p.received_us >= a.sys_us && p.received_us < b.sys_us) {
                at.push_back(p.received_us);
                lat.push_back(p.latency_us);
            }
        r.latency = summarize_latency(at, lat, a.sys_us + (b.sys_us - a.sys_us) / 2);
        if (scrapes) r.scrapes = scrapes->summary(at, lat);
        for (const auto& cl : rec.clients) {
            auto n = std::count_if(cl.summaries_us.begin(), cl.summaries_us.end(),
                                   [&](std::int64_t t) { return t >= a.sys_us && t < b.sys_us; });
            r.summaries_per_s.push_back(double(n) / r.window_s);
        }
    }
    judge(r);
    return r;
}

RunResult Run::go() {
    RunResult out;
    std::vector<std::size_t> steps = o_.ramp ? o_.ramp_steps : std::vector<std::size_t>{o_.agents};
    // A ramp stops at the largest step the open-file limit allows, when even
    // root cannot raise it (a container's cap), rather than failing outright.
    const std::uint64_t overhead = o_.dashboards + 64;
    if (o_.ramp && steps.back() + overhead > own_fd_hard_limit()) {
        try {
            raise_own_fd_limit(steps.back() + overhead);
        } catch (const std::runtime_error& e) {
            auto cap = own_fd_hard_limit() - overhead;
            std::erase_if(steps, [cap](std::size_t n) { return n > cap; });
            if (steps.empty()) throw;
            progress("warning: " + std::string(e.what()) + "; the ramp stops at " + std::to_string(steps.back()) + " agents");
            out.stopped_early = "the open-file limit caps the ramp at " + std::to_string(steps.back()) + " agents";
        }
    }
    const std::size_t max_agents = steps.back();
    raise_own_fd_limit(max_agents + overhead);
    start_hub();
    out.hub = hub_.address().to_string() + ":" + std::to_string(hub_.port());
    if (hub_pid_) out.hub_pid = *hub_pid_;

    SampleFactory factory(FleetShape{o_.seed, o_.hot_fraction, 8, 10, 10, o_.interval_ms});
    // Watched hosts are spread over the first step's fleet.
    detail_count_ = o_.dashboards > 0 ? std::min(o_.detail_hosts, steps.front()) : 0;
    std::vector<int> slot_of(max_agents, -1);
    std::vector<std::string> detail_ids;
    for (std::size_t j = 0; j < detail_count_; ++j) {
        std::size_t host = j * (steps.front() / detail_count_);
        slot_of[host] = int(j);
        detail_ids.push_back(factory.host_id(host));
    }
    send_times_ = std::make_unique<SendTimes>(std::move(slot_of));
    shared_.hub = hub_;
    shared_.factory = &factory;
    shared_.send_times = send_times_.get();
    shared_.refresh = o_.refresh;
    shared_.instance_ms = system_us() / 1000;
    shared_.interval_ms = o_.interval_ms;
    shared_.tls = tls_ctx_.get();
    shared_.reconnect = o_.restart_after.has_value() || o_.reconnect_every_s > 0;
    shared_.buffer = o_.agent_buffer;
    shared_.epoch = 1;

    dashboards_ = std::make_unique<DashboardClients>(hub_, o_.dashboards, detail_ids, *send_times_, shared_.errors);
    auto dash_until = Clock::now() + std::chrono::seconds(10);
    while (dashboards_->subscribed() < o_.dashboards && Clock::now() < dash_until && !should_stop())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (dashboards_->subscribed() < o_.dashboards)
        progress("warning: only " + std::to_string(dashboards_->subscribed()) + " of " + std::to_string(o_.dashboards) +
                 " dashboards connected");

    fleet_ = std::make_unique<AgentFleet>(shared_, FleetPacing{std::chrono::milliseconds(o_.interval_ms), o_.connect_rate, 256,
                                                                  o_.reconnect_every_s, o_.seed});
    for (std::size_t n : steps) {
        if (should_stop()) {
            out.stopped_early = interrupted_.load() ? "interrupted" : "--max-seconds reached";
            break;
        }
        progress("connecting agents up to " + std::to_string(n) + " at " + std::to_string(int(o_.connect_rate)) + "/s");
        fleet_->grow_to(n);
        auto next_report = Clock::now() + std::chrono::seconds(5);
        while (fleet_->settled() < n && !should_stop()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            if (Clock::now() >= next_report) {
                next_report += std::chrono::seconds(5);
                progress("  " + std::to_string(shared_.counters.welcomed.load()) + " connected, " +
                         std::to_string(shared_.counters.connect_failures.load()) + " failed");
            }
        }
        progress(std::to_string(shared_.counters.welcomed.load()) + " agents connected, " +
                 std::to_string(shared_.counters.connect_failures.load()) + " connect failures; settling " +
                 std::to_string(o_.settle_s) .substr(0, 4) + " s, then measuring " + std::to_string(o_.window_s).substr(0, 4) + " s");
        if (!wait_until(Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.settle_s)))) {
            out.stopped_early = interrupted_.load() ? "interrupted" : "--max-seconds reached";
            break;
        }
        auto w = measure(n);
        progress(table_row(w));
        out.windows.push_back(w);
        if (should_stop() && out.windows.back().window_s < o_.window_s * 0.9) {
            out.stopped_early = interrupted_.load() ? "interrupted" : "--max-seconds reached";
            out.windows.pop_back();
            break;
        }
        if (w.keeps_up) out.max_sustained = n;
        else if (o_.ramp) break;
    }
    if (o_.restart_after && !out.windows.empty() && !should_stop()) {
        progress("streaming " + std::to_string(*o_.restart_after).substr(0, 5) + " s more, then restarting the hub");
        if (wait_until(Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(*o_.restart_after))))
            out.restart = restart();
        else
            out.stopped_early = interrupted_.load() ? "interrupted" : "--max-seconds reached before the restart";
    }
    if (o_.reconnect_every_s > 0 && !out.windows.empty()) out.churn = churn_check();
    out.tls = o_.tls;
    out.tls_pin = tls_pin_;
    out.tls_handshakes = shared_.counters.tls_handshakes.load();
    out.tls_resumed = shared_.counters.tls_resumed.load();
    fleet_->stop();
    dashboards_->stop();
    for (const auto& [text, count] : shared_.errors.top()) out.errors.push_back(std::to_string(count) + "x " + text);
    if (auto n = shared_.errors.others()) out.errors.push_back(std::to_string(n) + "x other errors");
    if (spawned_) progress("hub stopped: " + spawned_->stop());
    return out;
}

RestartResult Run::restart() {
    RestartResult r;
    auto& c = shared_.counters;
    r.agents = std::size_t(c.live.load());
    const auto hs0 = c.tls_handshakes.load(), res0 = c.tls_resumed.load(), att0 = c.reconnect_attempts.load(),
               fail0 = c.reconnect_failures.load(), rep0 = c.replayed.load();
    progress("restart: " + std::to_string(r.agents) + " agents live; stopping the hub (pid " +
             std::to_string(spawned_->pid()) + ") with " + (o_.restart_signal == "kill" ? "SIGKILL" : "SIGTERM"));
    const auto t0 = Clock::now();
    const auto gen0 = c.generated.load();
    const auto own_ticks0 = probe_.cpu_ticks(::getpid());
    auto ended = o_.restart_signal == "kill" ? spawned_->kill_now() : spawned_->stop(std::chrono::seconds(60));
    r.how = std::string(o_.restart_signal == "kill" ? "SIGKILL" : "SIGTERM") + " (" + ended + ")";
    // Welcomes from here on are the new hub's.
    c.epoch_welcomed.store(0);
    shared_.epoch.fetch_add(1);
    auto at_kill = fleet_->snapshot();
    spawned_ = std::make_unique<HubProcess>(o_.spawn_hub, hub_args_, o_.hub_output,
                                            HubSpawn{hub_.port(), hub_fd_need_, true});
    hub_pid_ = spawned_->pid();
    const auto hub_ticks0 = probe_.cpu_ticks(*hub_pid_);
    wait_for_health("restarted hub");
    r.hub_down_s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (auto stats = http_get(hub_, "/api/stats", http_timeout); stats.status == 200) {
        r.restored_hosts = read_counter(stats.body, "restored_hosts");
        r.restore_ms = read_counter(stats.body, "restore_ms");
    }
    progress("restart: the new hub (pid " + std::to_string(*hub_pid_) + ") answers after " +
             std::to_string(r.hub_down_s).substr(0, 5) + " s; waiting for the agents");

    const auto until = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.restart_timeout));
    auto next_report = Clock::now() + std::chrono::seconds(5);
    auto mark = [&](std::optional<double>& at, double share, std::size_t back) {
        if (!at && double(back) >= share * double(r.agents)) at = std::chrono::duration<double>(Clock::now() - t0).count();
    };
    for (;;) {
        auto back = std::size_t(c.epoch_welcomed.load());
        mark(r.half_back_s, 0.5, back);
        mark(r.p90_back_s, 0.9, back);
        mark(r.p99_back_s, 0.99, back);
        if (back >= r.agents) {
            r.all_back_s = std::chrono::duration<double>(Clock::now() - t0).count();
            break;
        }
        if (Clock::now() >= until || should_stop()) break;
        if (Clock::now() >= next_report) {
            next_report += std::chrono::seconds(5);
            progress("restart:   " + std::to_string(back) + " of " + std::to_string(r.agents) + " back, " +
                     std::to_string(c.tls_resumed.load() - res0) + " of " + std::to_string(c.tls_handshakes.load() - hs0) +
                     " TLS handshakes resumed, " + std::to_string(c.reconnect_failures.load() - fail0) + " failed attempts");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    r.back = std::size_t(c.epoch_welcomed.load());
    if (auto t1 = probe_.cpu_ticks(*hub_pid_); t1 && hub_ticks0)
        r.hub_cpu_s_until_back = double(*t1 - *hub_ticks0) / ProcProbe::ticks_per_second();
    if (auto t1 = probe_.cpu_ticks(::getpid()); t1 && own_ticks0)
        r.loadgen_cpu_s_until_back = double(*t1 - *own_ticks0) / ProcProbe::ticks_per_second();
    progress("restart: " + std::to_string(r.back) + " of " + std::to_string(r.agents) + " back" +
             (r.all_back_s ? " after " + std::to_string(*r.all_back_s).substr(0, 5) + " s" : " (timed out)") +
             "; streaming " + std::to_string(o_.restart_settle).substr(0, 4) + " s, then checking the hub's view");
    wait_until(Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.restart_settle)));
    // Stop making samples, let every queued one go out, then ask the hub.
    shared_.paused.store(true);
    r.generated_after_kill = c.generated.load() - gen0;
    auto drain_until = Clock::now() + std::chrono::seconds(30);
    for (;;) {
        std::uint64_t unsent = 0;
        for (const auto& a : fleet_->snapshot())
            if (a.live) unsent += a.unsent;
        r.unsent_at_check = unsent;
        if (unsent == 0 || Clock::now() >= drain_until) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    // The hub reads what is on its sockets within a moment; check twice more if anything looks missing.
    for (int attempt = 0; attempt < 3; ++attempt) {
        std::this_thread::sleep_for(std::chrono::seconds(attempt == 0 ? 1 : 3));
        check_hub_view(r, at_kill);
        if (!r.checked || r.lost == 0) break;
    }
    r.tls_handshakes = c.tls_handshakes.load() - hs0;
    r.tls_resumed = c.tls_resumed.load() - res0;
    r.reconnect_attempts = c.reconnect_attempts.load() - att0;
    r.reconnect_failures = c.reconnect_failures.load() - fail0;
    r.replayed = c.replayed.load() - rep0;
    std::vector<std::string> why;
    if (!r.all_back_s) why.push_back(std::to_string(r.agents - std::min(r.agents, r.back)) + " agents not back");
    if (!r.checked) why.push_back("the hub's view could not be read");
    if (r.lost) why.push_back(std::to_string(r.lost) + " samples lost (" + std::to_string(r.agents_with_loss) + " agents)");
    if (r.unsent_at_check) why.push_back(std::to_string(r.unsent_at_check) + " samples still unsent at the check");
    if (why.empty()) r.verdict = "all back, no sample lost";
    else {
        for (std::size_t i = 0; i < why.size(); ++i) r.verdict += (i ? "; " : "") + why[i];
    }
    progress("restart: " + r.verdict);
    return r;
}

ChurnResult Run::churn_check() {
    ChurnResult r;
    auto& c = shared_.counters;
    // Stop making samples, let every queued one go out, then ask the hub.
    shared_.paused.store(true);
    auto drain_until = Clock::now() + std::chrono::seconds(30);
    std::vector<AgentState> agents;
    for (;;) {
        agents = fleet_->snapshot();
        r.unsent_at_check = 0;
        for (const auto& a : agents) r.unsent_at_check += a.unsent;
        if (r.unsent_at_check == 0 || Clock::now() >= drain_until) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    r.random_drops = c.random_drops.load();
    r.reconnect_attempts = c.reconnect_attempts.load();
    r.reconnect_failures = c.reconnect_failures.load();
    r.replayed = c.replayed.load();
    r.unbuffered = c.unbuffered.load();
    r.commands_answered = c.commands_answered.load();
    r.generated = c.generated.load();
    // The hub reads what is on its sockets within a moment; read again if anything looks missing.
    for (int attempt = 0; attempt < 3; ++attempt) {
        std::this_thread::sleep_for(std::chrono::seconds(attempt == 0 ? 1 : 3));
        auto hosts = http_get(hub_, "/api/hosts", std::chrono::seconds(30));
        auto j = nlohmann::json::parse(hosts.body, nullptr, false);
        if (hosts.status != 200 || !j.is_object() || !j.contains("hosts") || !j["hosts"].is_array()) {
            progress("churn check: cannot read GET /api/hosts: " + (hosts.error.empty() ? "status " + std::to_string(hosts.status) : hosts.error));
            continue;
        }
        std::unordered_map<std::size_t, std::pair<std::uint64_t, std::uint64_t>> seen;  // index -> seq, gaps
        for (const auto& h : j["hosts"]) {
            if (!h.is_object() || !h.contains("host_id") || !h["host_id"].is_string()) continue;
            long index = host_index_of(h["host_id"].get<std::string>());
            if (index < 0) continue;
            auto num = [&](const char* k) { return h.contains(k) && h[k].is_number_unsigned() ? h[k].get<std::uint64_t>() : 0; };
            seen[std::size_t(index)] = {num("seq"), num("gaps")};
        }
        r.checked = true;
        r.agents_checked = r.agents_behind = r.agents_with_gaps = 0;
        r.samples_behind = r.host_gaps = 0;
        for (const auto& a : agents) {
            if (a.newest == 0) continue;  // never streamed
            ++r.agents_checked;
            auto it = seen.find(a.index);
            std::uint64_t held = it == seen.end() ? 0 : it->second.first;
            std::uint64_t gaps = it == seen.end() ? 0 : it->second.second;
            if (held < a.newest) {
                ++r.agents_behind;
                r.samples_behind += a.newest - held;
            }
            if (gaps) {
                ++r.agents_with_gaps;
                r.host_gaps += gaps;
            }
        }
        if (r.agents_behind == 0) break;
    }
    progress("churn check: " + std::to_string(r.agents_checked) + " agents, " + std::to_string(r.agents_behind) +
             " behind in the hub (" + std::to_string(r.samples_behind) + " samples), " + std::to_string(r.host_gaps) +
             " gaps; " + std::to_string(r.random_drops) + " reconnects on purpose, " + std::to_string(r.replayed) +
             " samples replayed, " + std::to_string(r.commands_answered) + " commands answered");
    return r;
}

void Run::check_hub_view(RestartResult& r, const std::vector<AgentState>& at_kill) {
    r.checked = false;
    auto stats = http_get(hub_, "/api/stats", http_timeout);
    auto hosts = http_get(hub_, "/api/hosts", std::chrono::seconds(30));
    if (stats.status != 200 || hosts.status != 200) {
        progress("restart: cannot read the hub's view: " + (stats.status != 200 ? stats.error : hosts.error));
        return;
    }
    r.hub_gaps = read_counter(stats.body, "gaps");
    r.hub_duplicates = read_counter(stats.body, "duplicates");
    r.hub_samples = read_counter(stats.body, "samples_received");
    auto j = nlohmann::json::parse(hosts.body, nullptr, false);
    if (!j.is_object() || !j.contains("hosts") || !j["hosts"].is_array()) {
        progress("restart: GET /api/hosts is not {\"hosts\":[...]}");
        return;
    }
    struct Seen {
        std::uint64_t seq = 0, gaps = 0;
    };
    std::unordered_map<std::size_t, Seen> seen;
    for (const auto& h : j["hosts"]) {
        if (!h.is_object() || !h.contains("host_id") || !h["host_id"].is_string()) continue;
        long index = host_index_of(h["host_id"].get<std::string>());
        if (index < 0) continue;
        Seen v;
        if (h.contains("seq") && h["seq"].is_number_unsigned()) v.seq = h["seq"].get<std::uint64_t>();
        if (h.contains("gaps") && h["gaps"].is_number_unsigned()) v.gaps = h["gaps"].get<std::uint64_t>();
        seen[std::size_t(index)] = v;
    }
    r.lost = 0;
    r.agents_with_loss = 0;
    r.expected_gaps = 0;
    auto now = fleet_->snapshot();
    for (const auto& a : now) {
        if (a.index >= at_kill.size() || at_kill[a.index].newest == 0) continue;  // never streamed
        const std::uint64_t killed_at = at_kill[a.index].newest;
        std::uint64_t lost = 0;
        auto it = seen.find(a.index);
        if (!a.welcomed_in_epoch || it == seen.end()) {
            lost = a.newest - killed_at;  // nothing made after the kill reached the new hub
        } else {
            // The new hub welcomes each host with the last seq it kept (0
            // without a history store) and the agent replays from the next one
            // it still buffers. The hub counts a jump past its last seq as
            // gaps, but none from 0 (samples it never knew of were not
            // missed), and holds every seq above it unless one went missing.
            const std::uint64_t first = a.epoch_first ? a.epoch_first : 1;
            const std::uint64_t expected =
                a.epoch_last_seq > 0 && first > a.epoch_last_seq + 1 ? first - a.epoch_last_seq - 1 : 0;
            r.expected_gaps += expected;
            const auto& v = it->second;
            std::uint64_t holes = v.gaps > expected ? v.gaps - expected : 0;
            std::uint64_t tail = a.newest > v.seq ? a.newest - v.seq : 0;
            lost = holes + tail;
            // Made after the kill, yet fell out of the buffer before the replay.
            if (first > killed_at + 1) lost += first - killed_at - 1;
        }
        if (lost) {
            r.lost += lost;
            ++r.agents_with_loss;
        }
    }
    r.checked = true;
}

}  // namespace

nlohmann::json to_json(const RestartResult& r) {
    auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    return {{"how", r.how},
            {"agents", r.agents},
            {"hub_down_s", r.hub_down_s},
            {"restored_hosts", opt(r.restored_hosts)},
            {"restore_ms", opt(r.restore_ms)},
            {"all_back_s", opt(r.all_back_s)},
            {"half_back_s", opt(r.half_back_s)},
            {"p90_back_s", opt(r.p90_back_s)},
            {"p99_back_s", opt(r.p99_back_s)},
            {"back", r.back},
            {"tls_handshakes", r.tls_handshakes},
            {"tls_resumed", r.tls_resumed},
            {"reconnect_attempts", r.reconnect_attempts},
            {"reconnect_failures", r.reconnect_failures},
            {"replayed", r.replayed},
            {"generated_after_kill", r.generated_after_kill},
            {"unsent_at_check", r.unsent_at_check},
            {"checked", r.checked},
            {"lost", r.lost},
            {"agents_with_loss", r.agents_with_loss},
            {"expected_gaps", r.expected_gaps},
            {"hub_gaps", opt(r.hub_gaps)},
            {"hub_duplicates", opt(r.hub_duplicates)},
            {"hub_samples", opt(r.hub_samples)},
            {"hub_cpu_s_until_back", opt(r.hub_cpu_s_until_back)},
            {"loadgen_cpu_s_until_back", opt(r.loadgen_cpu_s_until_back)},
            {"verdict", r.verdict}};
}

nlohmann::json to_json(const ChurnResult& r) {
    return {{"random_drops", r.random_drops},
            {"reconnect_attempts", r.reconnect_attempts},
            {"reconnect_failures", r.reconnect_failures},
            {"replayed", r.replayed},
            {"unbuffered", r.unbuffered},
            {"commands_answered", r.commands_answered},
            {"generated", r.generated},
            {"unsent_at_check", r.unsent_at_check},
            {"checked", r.checked},
            {"agents_checked", r.agents_checked},
            {"agents_behind", r.agents_behind},
            {"samples_behind", r.samples_behind},
            {"host_gaps", r.host_gaps},
            {"agents_with_gaps", r.agents_with_gaps}};
}

RunResult run_loadgen(const LoadgenOptions& o, const std::atomic<bool>& interrupted) {
    Run run(o, interrupted);
    return run.go();
}

}  // namespace telehub::loadgen
