// telehub-loadgen: N simulated agents and D dashboards against a hub on
// loopback, measuring whether the hub keeps up (docs/benchmarks.md, "Hub").
//
//   telehub-loadgen --spawn-hub build/hub/telehub --agents 2000 --dashboards 5
//   telehub-loadgen --hub 127.0.0.1:8080 --ramp
//   telehub-loadgen --spawn-hub build/hub/telehub --agents 10000 --tls --restart-after 5
//
// Progress goes to stderr; a table and, as the last line, one JSON object go
// to stdout. Exit status: 0 when at least one window was measured, 1 when
// none could be, 2 for a bad command line or a start-up failure.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>

#include <nlohmann/json.hpp>

#include "loadgen/loadgen_options.hpp"
#include "loadgen/loadgen_run.hpp"

namespace {

std::atomic<bool> interrupted{false};

void on_signal(int) { interrupted.store(true); }

}  // namespace

int main(int argc, char** argv) {
    using namespace telehub::loadgen;
    try {
        auto cli = parse_loadgen_options(argc, argv);
        if (cli.help) {
            std::fputs(cli.help->c_str(), stdout);
            return 0;
        }
        const auto& o = cli.options;
        // Stop cleanly (and stop a spawned hub) on Ctrl-C or a kill.
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
        std::signal(SIGPIPE, SIG_IGN);
        auto result = run_loadgen(o, interrupted);

        std::printf("hub %s%s, %zu dashboards (%zu detail hosts on the first), interval %u ms, window %.1f s, %s\n",
                    result.hub.c_str(),
                    result.hub_pid ? (" pid " + std::to_string(*result.hub_pid)).c_str() : "", o.dashboards,
                    o.dashboards ? o.detail_hosts : 0, o.interval_ms, o.window_s,
                    !o.tls ? "agents on ws://"
                           : ("agents on wss:// (" + std::string(result.tls_pin.empty() ? "unverified" : "pinned " + result.tls_pin) +
                              "), " + std::to_string(result.tls_handshakes) + " TLS handshakes, " +
                              std::to_string(result.tls_resumed) + " resumed").c_str());
        std::printf("%s\n", table_header().c_str());
        nlohmann::json windows = nlohmann::json::array();
        for (const auto& w : result.windows) {
            std::printf("%s\n", table_row(w).c_str());
            windows.push_back(to_json(w));
        }
        if (o.ramp)
            std::printf("largest agent count sustained: %s\n",
                        result.max_sustained ? std::to_string(*result.max_sustained).c_str() : "none");
        if (const auto& r = result.restart) {
            auto secs = [](const std::optional<double>& v) { return v ? std::to_string(*v).substr(0, 6) + " s" : std::string("-"); };
            std::printf("restart (%s): %zu agents; hub answering after %.2f s; back: half %s, 90%% %s, 99%% %s, all %s (%zu of %zu)\n",
                        r->how.c_str(), r->agents, r->hub_down_s, secs(r->half_back_s).c_str(), secs(r->p90_back_s).c_str(),
                        secs(r->p99_back_s).c_str(), secs(r->all_back_s).c_str(), r->back, r->agents);
            std::printf("restart: %llu TLS handshakes, %llu resumed; %llu reconnect attempts, %llu failed; %llu samples replayed; "
                        "CPU until all back: new hub %s s, load generator %s s\n",
                        (unsigned long long)r->tls_handshakes, (unsigned long long)r->tls_resumed,
                        (unsigned long long)r->reconnect_attempts, (unsigned long long)r->reconnect_failures,
                        (unsigned long long)r->replayed,
                        r->hub_cpu_s_until_back ? std::to_string(*r->hub_cpu_s_until_back).substr(0, 5).c_str() : "-",
                        r->loadgen_cpu_s_until_back ? std::to_string(*r->loadgen_cpu_s_until_back).substr(0, 5).c_str() : "-");
            std::printf("restart: %llu samples made after the kill; lost %llu (%zu agents); hub gaps %s (expected %llu: the seqs "
                        "before each agent's replay), duplicates %s; %s\n",
                        (unsigned long long)r->generated_after_kill, (unsigned long long)r->lost, r->agents_with_loss,
                        r->hub_gaps ? std::to_string(*r->hub_gaps).c_str() : "-", (unsigned long long)r->expected_gaps,
                        r->hub_duplicates ? std::to_string(*r->hub_duplicates).c_str() : "-", r->verdict.c_str());
        }
        if (const auto& c = result.churn)
            std::printf("churn: %llu reconnects on purpose, %llu attempts (%llu failed), %llu samples replayed, %llu commands "
                        "answered; after the drain %zu of %zu agents behind in the hub (%llu samples), %llu gaps on %zu hosts%s\n",
                        (unsigned long long)c->random_drops, (unsigned long long)c->reconnect_attempts,
                        (unsigned long long)c->reconnect_failures, (unsigned long long)c->replayed,
                        (unsigned long long)c->commands_answered, c->agents_behind, c->agents_checked,
                        (unsigned long long)c->samples_behind, (unsigned long long)c->host_gaps, c->agents_with_gaps,
                        c->checked ? "" : " (the hub's view could not be read)");
        if (!result.stopped_early.empty()) std::printf("stopped early: %s\n", result.stopped_early.c_str());
        for (const auto& e : result.errors) std::printf("error seen: %s\n", e.c_str());
        nlohmann::json j{{"tool", "telehub-loadgen"},
                         {"hub", result.hub},
                         {"hub_pid", result.hub_pid ? nlohmann::json(*result.hub_pid) : nlohmann::json(nullptr)},
                         {"mode", o.ramp ? "ramp" : "single"},
                         {"dashboards", o.dashboards},
                         {"refresh", o.refresh},
                         {"windows", windows},
                         {"max_sustained", result.max_sustained ? nlohmann::json(*result.max_sustained) : nlohmann::json(nullptr)},
                         {"stopped_early", result.stopped_early},
                         {"tls", result.tls},
                         {"tls_pin", result.tls_pin},
                         {"tls_handshakes", result.tls_handshakes},
                         {"tls_resumed", result.tls_resumed},
                         {"restart", result.restart ? to_json(*result.restart) : nlohmann::json(nullptr)},
                         {"churn", result.churn ? to_json(*result.churn) : nlohmann::json(nullptr)},
                         {"errors", result.errors}};
        std::printf("%s\n", j.dump().c_str());
        return result.windows.empty() ? 1 : 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "telehub-loadgen: %s\n", e.what());
        return 2;
    }
}
