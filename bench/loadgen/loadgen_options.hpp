// telehub-loadgen's command line. Any bad flag or value is a start-up error:
// parse_loadgen_options throws std::runtime_error with one line naming the
// flag, which main prints before exiting with status 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace telehub::loadgen {

struct LoadgenOptions {
    std::string hub_address = "127.0.0.1";  // loopback only: the load never leaves this machine
    std::uint16_t hub_port = 8080;
    std::size_t agents = 1000;
    std::size_t dashboards = 5;
    std::size_t detail_hosts = 10;         // hosts dashboard 0 subscribes to in detail
    std::uint32_t interval_ms = 1000;
    double window_s = 10;                  // the measured steady window
    double settle_s = 3;                   // after the last connection, before the window
    double connect_rate = 1000;            // new connections per second
    std::uint32_t refresh = 10;            // full sample re-encode every this many samples
    double hot_fraction = 0.05;
    std::uint64_t seed = 1;
    std::optional<pid_t> hub_pid;          // default: found from the port
    std::string spawn_hub;                 // path of a hub to start; empty: use a running one
    unsigned hub_threads = 2;              // for --spawn-hub
    std::string hub_log = "quiet";         // for --spawn-hub: quiet, text or json
    bool hub_persist = true;               // for --spawn-hub: history store on (a temporary data dir) or --no-persist
    std::string hub_output = "/dev/null";  // for --spawn-hub: the hub's stdout and stderr
    std::optional<std::size_t> hub_log_rate;  // for --spawn-hub: its --log-rate
    std::string hub_rules;                 // for --spawn-hub: its --rules file (empty: the built-in rules)
    bool ramp = false;
    std::vector<std::size_t> ramp_steps = {1000, 2000, 4000, 6000, 8000, 10000, 12000, 14000, 16000, 20000};
    double max_seconds = 600;              // the whole run stops by then
    // --tls: agents connect with wss://; a spawned hub gets --self-signed-tls
    // and a data dir of its own (removed at the end), whose certificate the
    // agents pin. Against --hub: pinned to tls_fingerprint, or unverified.
    bool tls = false;
    std::string tls_fingerprint;
    // --restart-after S: S seconds after the measured window, the spawned hub
    // is killed and started again on the same port and data dir; the agents
    // reconnect, resume and replay like the real agent.
    std::optional<double> restart_after;
    std::string restart_signal = "kill";  // kill (SIGKILL) or term (SIGTERM)
    double restart_timeout = 120;         // seconds to wait for every agent to be back
    double restart_settle = 5;            // seconds of streaming after all are back, before the check
    std::size_t agent_buffer = 300;       // samples each agent keeps for replay (the agent's --buffer)
    // --scrape-metrics S: during the measured window, GET /metrics every S
    // seconds, one scrape at a time, like a Prometheus server (0: none).
    double scrape_metrics_s = 0;
    // --scrape-path: what those scrapes GET instead, e.g. /api/hosts (a REST client polling).
    std::string scrape_path = "/metrics";
    // --reconnect-every S: agents reconnect and replay like the real agent,
    // answer commands, and on average every S seconds a random one closes
    // its connection and comes back; after the window the fleet is paused,
    // drained and every agent's newest seq is checked against the hub.
    double reconnect_every_s = 0;
};

struct LoadgenCli {
    LoadgenOptions options;
    std::optional<std::string> help;  // set for --help: print it and exit 0
};

LoadgenCli parse_loadgen_options(int argc, const char* const* argv);

}  // namespace telehub::loadgen
