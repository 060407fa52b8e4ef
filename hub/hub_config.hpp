// The hub's command line (Boost.Program_options) and its config file
// (--config, TOML: every flag --some-flag is the key some_flag, see
// telehub/config_file.hpp; the command line wins). Any bad flag, key or value
// is a start-up error: parse_hub_config throws std::runtime_error with one
// line naming the flag (or the file, line and key), which main prints before
// exiting with status 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/log/log.hpp"

namespace telehub::hub {

struct HubConfig {
    std::string listen_address = "127.0.0.1";
    std::uint16_t listen_port = 8080;
    unsigned threads = 1;           // io threads
    double io_batch_ms = 10;        // while work comes closer together, io threads take it in batches this far apart (hub/batched_run.hpp)
    std::string web_root;           // empty: the installed web root if it exists, else the source tree's
    std::size_t max_frame = 1 << 20;  // largest agent frame accepted (1 MiB)
    std::size_t max_reply = 32 << 20; // ... when it answers a command the hub sent (a busy host's sockets or ps report)
    double high_cpu = 80;
    LogFormat log_format = LogFormat::text;
    std::optional<double> log_min_cpu;
    std::size_t log_rate = 200;  // sample lines per second before summarising
    bool quiet = false;
    std::string log_file;  // empty: stdout (samples) and stderr (events)
    std::size_t history_points = 3600;            // one hour at 1 s
    std::size_t metrics_top_processes = 0;        // per-process /metrics series per host (0: none; cardinality)
    std::size_t live_queue_bytes = 4 << 20;       // /ws/live bytes queued per client before it counts as stalled
    std::size_t live_queue_messages = 4096;       // ... and messages
    std::uint32_t live_stall_ms = 5000;           // a client stalled this long is disconnected
    std::size_t live_part_hosts = 250;            // hosts per /ws/live summaries frame (~100 KB)

    // Access (docs/protocol.md, "Access"). Tokens stay here only until the
    // hub's AccessTokens digests them at start.
    std::vector<std::string> agent_tokens, admin_tokens, viewer_tokens;
    std::vector<std::string> agent_token_files, admin_token_files, viewer_token_files;
    // Credentials files (hashed, named, host-bound for agents; re-read on SIGHUP).
    std::vector<std::string> agent_credential_files, admin_credential_files, viewer_credential_files;
    bool insecure = false;                        // allow a non-loopback listen address without agent tokens
    std::uint32_t agent_idle_s = 300;             // an agent connection silent this long is closed (1001)
    std::uint32_t http_header_timeout_s = 30;     // a request's headers must all arrive within this
    std::uint32_t command_timeout_ms = 5000;      // a relayed command with no reply by then is answered 504
    std::string audit_log;                        // empty: default_audit_log_path()
    std::string rules_file;                       // alert rules (docs/alerts.md); empty: the built-in defaults
    std::string cluster_url;                      // redis://HOST:PORT[/DB] joins a cluster (docs/cluster.md); empty: alone
    std::string hub_name;                         // this hub's name in the cluster; empty: the host name
    std::string cluster_ca;                       // rediss://: PEM CA(s) Redis's certificate must chain to; empty: the system's
    std::string cluster_cert, cluster_key;        // rediss://: this hub's client certificate, when Redis asks for one

    // Across a network (docs/tls.md). Without a certificate, a hub listening
    // beyond loopback makes a self-signed one in data_dir on first start.
    std::string tls_cert, tls_key;                // PEM; the cert file may hold the chain
    std::string data_dir;                         // empty: default_data_dir()
    bool self_signed_tls = false;                 // make/reuse the generated certificate even on loopback
    std::vector<std::string> plain_from = {"127.0.0.1", "::1"};  // peers that may skip TLS

    // History that survives restarts (DATA-DIR/history.db; README, docs/architecture.md).
    bool persist = true;                                     // --no-persist: memory only, as before
    std::int64_t retention_ms = 30LL * 24 * 3600 * 1000;     // the one-minute tier is kept this long
    std::int64_t forget_after_ms = 7LL * 24 * 3600 * 1000;   // hosts not seen this long are removed
    std::size_t max_hosts = 0;                               // 0 until parsed: default_max_hosts()

    std::string config_file;                      // --config: the TOML file these came from, if any

    bool operator==(const HubConfig&) const = default;
};

// What a SIGHUP re-read of --config applies at once, and what waits for the
// next restart (a new listener, threads, files or cluster link).
// Copies what HubContext::apply_reload applies (high_cpu, tokens, token and
// credentials files) from `from` into `to`.
void take_reloadable(HubConfig& to, const HubConfig& from);

// The config-file keys whose values differ between `running` and `next` and
// that only a restart applies, each once, in the order of --config-template.
// "other settings" ends the list when something differs that no key names.
std::vector<std::string> restart_only_changes(const HubConfig& running, const HubConfig& next);

struct CliResult {
    HubConfig config;
    std::optional<std::string> help;  // set for --help: print it and exit 0
    bool version = false;             // --version: print hub_version_line() and exit 0
    std::optional<std::string> config_template;  // --config-template: print it and exit 0
    bool check_config = false;        // --check-config: validate, report, exit
};

CliResult parse_hub_config(int argc, const char* const* argv);

// Every key a config file may hold, from the same table as the flags.
std::vector<std::string> hub_config_keys();

// "telehub 0.1.0".
std::string hub_version_line();

// $STATE_DIRECTORY (systemd's StateDirectory=), else $XDG_STATE_HOME/telehub,
// else ~/.local/state/telehub.
std::string default_data_dir();

// Hosts the hub holds at most by default: a quarter of the machine's memory
// at 64 KiB a host (an hour of history, the latest sample, the record), from
// 1,000 to 1,000,000.
std::size_t default_max_hosts();

// A duration flag: a number with a unit s, m, h or d (a bare number is in
// `bare_unit_ms`); nullopt when it is not one.
std::optional<std::int64_t> parse_duration_ms(const std::string& text, std::int64_t bare_unit_ms);

// <default_data_dir()>/audit.jsonl.
std::string default_audit_log_path();

// The web root to use when --web-root is not given: PREFIX/share/telehub/web
// beside PREFIX/bin/telehub when installed, else the source tree's web/.
std::string default_web_root();

// This machine's host name ("telehub" when it has none): the generated
// certificate's name, the notifications' hub name, the default --hub-name.
std::string local_host_name();

}  // namespace telehub::hub
