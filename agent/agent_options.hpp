// The agent's command line and its config file (--config, TOML: every flag
// --some-flag is the key some_flag, see telehub/config_file.hpp; the command
// line wins): modes and flags, validated once at start-up.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/collect/collect.hpp"

namespace telehub::agent {

enum class AgentMode {
    stream,   // default: every interval, send to --hub, or print a line when there is no hub
    once,     // --once: one complete sample, then exit
    sockets,  // `sockets`: the connection report (pid, laddr, raddr, status)
    top,      // `top -n N`: processes by user+kernel clock ticks
    sockwatch,  // `sockwatch`: sockets opened and closed per process, every interval
};

struct AgentOptions {
    AgentMode mode = AgentMode::stream;
    double interval_s = 1.0;
    std::size_t top_n = 10;
    std::size_t top_sockets = 10;  // processes listed in sockets.by_process
    std::string host_id;           // empty: /etc/machine-id or hostname
    std::string hub_url;           // empty: print samples instead of sending them
    std::size_t buffer = 300;      // samples kept for replay after a reconnect
    std::string format;            // text | json; empty before parsing picks the mode's default
    bool csv = false;
    bool netlink = true;  // false: read /proc/net only (the fallback path)
    bool setns = true;    // false: --no-setns or TELEHUB_NO_SETNS=1, other namespaces from /proc/PID/net
    std::size_t top_containers = 20;  // --top-containers
    std::string proc_root = "/proc";
    std::size_t count = 0;  // stop after this many samples (0: run until stopped)
    double leak_window_s = 60;     // --leak-window
    std::uint32_t leak_min = 20;   // --leak-min
    double close_wait_max_s = 60;  // --close-wait-max
    // Commands from the hub (docs/protocol.md, "Commands").
    bool control = true;                  // false: --no-control
    bool allow_exec = false;              // --allow-exec
    std::vector<std::string> exec_allow;  // --exec-allow prog1,prog2 (needs --allow-exec)
    std::string token;                    // --token, or the first non-empty line of --token-file
    std::string ca_file;                  // --ca-file: CAs that may sign the hub's certificate (default: the system's)
    std::string hub_fingerprint;          // --hub-fingerprint, canonical "sha256:hex": pins the hub's certificate
    bool insecure = false;                // --insecure: allows ws:// to a hub on another machine
    // sockwatch: which processes (all when both are empty/0)
    int watch_pid = 0;
    std::string watch_name;

    bool operator==(const AgentOptions&) const = default;
};

// A bad flag or value; main prints the message on one line and exits 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws UsageError naming the flag or value at fault. Returns nullopt-like
// `help = true` when --help was asked for (the text is in `help_text`).
struct ParsedOptions {
    AgentOptions options;
    bool help = false;
    std::string help_text;
    bool version = false;       // --version: print agent_version_line() and exit 0
    std::string config_template;  // --config-template: print it and exit 0 (empty otherwise)
    bool check_config = false;  // --check-config: validated; report and exit 0
    std::string config_file;    // --config, if given
};
// A bad value in the --config file throws telehub::config::ConfigError
// (FILE:LINE:COLUMN: key: what), also exit status 2.
ParsedOptions parse_agent_options(int argc, const char* const argv[]);

// Every key a config file may hold, from the same table as the flags.
std::vector<std::string> agent_config_keys();

// "telehub-agent 0.1.0".
std::string agent_version_line();

// The collectors' share of the options.
SamplerOptions sampler_options_from(const AgentOptions& o);

}  // namespace telehub::agent
