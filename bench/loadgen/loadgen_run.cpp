#include "loadgen/loadgen_run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include "loadgen/agent_fleet.hpp"
#include "loadgen/dashboard_clients.hpp"
#include "loadgen/fd_limit.hpp"
#include "loadgen/http_get.hpp"
#include "loadgen/hub_process.hpp"
#include "loadgen/live_frame.hpp"
#include "loadgen/proc_probe.hpp"

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

// The counters at one edge of a window.
struct Edge {
    Clock::time_point at;
    std::int64_t sys_us = 0;
    std::uint64_t sent = 0, blocked = 0, bytes = 0, resets = 0;
    std::optional<std::uint64_t> hub_counted, hub_ticks, own_ticks;
    std::optional<std::uint64_t> history_bytes, history_points;  // the hub's own account
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
    Edge edge();
    WindowResult measure(std::size_t agents);

    const LoadgenOptions& o_;
    const std::atomic<bool>& interrupted_;
    Clock::time_point deadline_;
    net::ip::tcp::endpoint hub_;
    std::unique_ptr<HubProcess> spawned_;
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
    if (!o_.spawn_hub.empty()) {
        std::vector<std::string> args{"--threads", std::to_string(o_.hub_threads)};
        if (o_.hub_log == "quiet") args.push_back("--quiet");
        else args.insert(args.end(), {"--log-format", o_.hub_log});
        if (o_.hub_log_rate) args.insert(args.end(), {"--log-rate", std::to_string(*o_.hub_log_rate)});
        spawned_ = std::make_unique<HubProcess>(o_.spawn_hub, args, o_.hub_output);
        hub_ = {net::ip::make_address("127.0.0.1"), spawned_->port()};
        hub_pid_ = spawned_->pid();
        progress("started hub " + o_.spawn_hub + " (pid " + std::to_string(spawned_->pid()) + ") on 127.0.0.1:" +
                 std::to_string(spawned_->port()));
    } else {
        hub_ = {net::ip::make_address(o_.hub_address), o_.hub_port};
    }
    auto where = hub_.address().to_string() + ":" + std::to_string(hub_.port());
    auto until = Clock::now() + hub_start_timeout;
    HttpResult health;
    for (;;) {
        health = http_get(hub_, "/healthz", http_timeout);
        if (health.status == 200) break;
        if (spawned_ && !spawned_->running())
            throw std::runtime_error("the spawned hub exited at start-up (" + spawned_->stop() + "); its output is in " +
                                     o_.hub_output);
        if (!spawned_ || Clock::now() >= until || should_stop())
            throw std::runtime_error("no hub answers GET /healthz at " + where + " (" +
                                     (health.error.empty() ? "status " + std::to_string(health.status) : health.error) +
                                     "); start one or use --spawn-hub PATH");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!hub_pid_) hub_pid_ = o_.hub_pid;
    if (!hub_pid_ && hub_.address().is_loopback()) hub_pid_ = probe_.listener_pid(hub_.port());
    if (!hub_pid_) progress("warning: hub pid not found (give --hub-pid); hub CPU and RSS will not be measured");
    if (hub_pid_) {
        auto err = raise_fd_limit_of(*hub_pid_, hub_need);
        if (!err.empty()) progress("warning: hub (pid " + std::to_string(*hub_pid_) + "): " + err);
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
    }
    else progress("GET /api/stats failed: " + (stats.error.empty() ? "status " + std::to_string(stats.status) : stats.error));
    if (hub_pid_) e.hub_ticks = probe_.cpu_ticks(*hub_pid_);
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
    wait_until(a.at + window);
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

    dashboards_ = std::make_unique<DashboardClients>(hub_, o_.dashboards, detail_ids, *send_times_, shared_.errors);
    auto dash_until = Clock::now() + std::chrono::seconds(10);
    while (dashboards_->subscribed() < o_.dashboards && Clock::now() < dash_until && !should_stop())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (dashboards_->subscribed() < o_.dashboards)
        progress("warning: only " + std::to_string(dashboards_->subscribed()) + " of " + std::to_string(o_.dashboards) +
                 " dashboards connected");

    fleet_ = std::make_unique<AgentFleet>(shared_, FleetPacing{std::chrono::milliseconds(o_.interval_ms), o_.connect_rate, 256});
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
    fleet_->stop();
    dashboards_->stop();
    for (const auto& [text, count] : shared_.errors.top()) out.errors.push_back(std::to_string(count) + "x " + text);
    if (auto n = shared_.errors.others()) out.errors.push_back(std::to_string(n) + "x other errors");
    if (spawned_) progress("hub stopped: " + spawned_->stop());
    return out;
}

}  // namespace

RunResult run_loadgen(const LoadgenOptions& o, const std::atomic<bool>& interrupted) {
    Run run(o, interrupted);
    return run.go();
}

}  // namespace telehub::loadgen
