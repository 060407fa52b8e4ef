#include "hub/hub_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>

#include "hub/auth/auth.hpp"
#include "hub/cluster/cluster.hpp"
#include "telehub/config_file.hpp"

namespace telehub::hub {
namespace po = boost::program_options;

namespace {

[[noreturn]] void bad(const std::string& flag, const std::string& what) {
    throw config::OptionError(flag, what, "invalid value for --" + flag + ": " + what);
}

void parse_listen(const std::string& v, HubConfig& c) {
    auto colon = v.rfind(':');
    if (colon == std::string::npos || colon == 0) bad("listen", "'" + v + "' must be ADDR:PORT, e.g. 127.0.0.1:8080");
    std::string addr = v.substr(0, colon);
    if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
    boost::system::error_code ec;
    boost::asio::ip::make_address(addr, ec);
    if (ec) bad("listen", "'" + addr + "' is not an IP address");
    unsigned port = 0;
    auto ps = std::string_view(v).substr(colon + 1);
    auto [p, err] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
    if (err != std::errc() || p != ps.data() + ps.size() || port == 0 || port > 65535)
        bad("listen", "port '" + std::string(ps) + "' must be 1-65535");
    c.listen_address = addr;
    c.listen_port = static_cast<std::uint16_t>(port);
}

void check_percent(const std::string& flag, double v) {
    if (!(v >= 0 && v <= 100)) bad(flag, "must be a percentage from 0 to 100");
}

}  // namespace

std::string default_data_dir() {
    namespace fs = std::filesystem;
    if (const char* sd = std::getenv("STATE_DIRECTORY"); sd && *sd) {
        std::string first(sd);  // systemd lists several separated by ':'
        return first.substr(0, first.find(':'));
    }
    const char* state = std::getenv("XDG_STATE_HOME");
    fs::path base;
    if (state && *state) base = state;
    else if (const char* home = std::getenv("HOME"); home && *home) base = fs::path(home) / ".local" / "state";
    else base = fs::temp_directory_path();
    return (base / "telehub").string();
}

std::size_t default_max_hosts() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return 10000;
    const std::uint64_t per_host = 64 * 1024;
    return std::clamp<std::uint64_t>(static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 4 / per_host,
                                     1000, 1000000);
}

std::optional<std::int64_t> parse_duration_ms(const std::string& text, std::int64_t bare_unit_ms) {
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    std::string unit = text.substr(used);
    double ms = 0;
    if (unit.empty()) ms = v * static_cast<double>(bare_unit_ms);
    else if (unit == "s") ms = v * 1000;
    else if (unit == "m") ms = v * 60'000;
    else if (unit == "h") ms = v * 3'600'000;
    else if (unit == "d") ms = v * 86'400'000;
    else return std::nullopt;
    if (!(ms >= 1000 && ms <= 3650.0 * 86'400'000)) return std::nullopt;
    return static_cast<std::int64_t>(ms);
}

std::string default_audit_log_path() { return (std::filesystem::path(default_data_dir()) / "audit.jsonl").string(); }

std::string default_web_root() {
    // Beside the program as `cmake --install` lays it out (PREFIX/bin/telehub,
    // PREFIX/share/telehub/web), whatever the prefix: the .deb's /usr as well
    // as a build tree's /usr/local, without rebuilding for either.
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        auto installed = exe.parent_path().parent_path() / "share" / "telehub" / "web";
        if (std::filesystem::is_directory(installed, ec)) return installed.string();
    }
    return TELEHUB_SOURCE_WEB_ROOT;
}

namespace {

// The flags, bound to a config and to the values that are checked before
// they land in it. One table for the command line and the config file.
struct HubFlags {
    std::string listen, log_format;
    double log_min_cpu = -1;
    double command_timeout_s = 5.0;
    std::string retention = "30", forget_after = "7";
    bool no_persist = false;
    po::options_description desc{"telehub: the telemetry hub\n"
                                 "Every option is also a key of the --config file: --high-cpu 70 is high_cpu = 70.\nOptions"};

    explicit HubFlags(HubConfig& c) {
    desc.add_options()
        ("help,h", "show this help and exit")
        ("version", "print the version and exit")
        ("config", po::value(&c.config_file), "TOML file of settings (keys as the flags, with _ for -); the command line wins; re-read on SIGHUP")
        ("config-template", "print a config file of every key, commented out, with its help and default, and exit")
        ("check-config", "check the flags and the --config file (and the token files they name), say what is wrong, and exit: 0 when fine, 2 otherwise")
        ("listen", po::value(&listen)->default_value("127.0.0.1:8080"), "ADDR:PORT to serve agents, dashboards and the REST API on")
        ("threads", po::value(&c.threads)->default_value(c.threads), "io threads: one holds 10,000 agents in about a third of a core (docs/benchmarks.md); more add a strand per connection and cross-thread wake-ups, so raise it only for larger fleets")
        ("io-batch-ms", po::value(&c.io_batch_ms)->default_value(c.io_batch_ms), "while frames come closer together than this many ms, an io thread takes them in batches this far apart instead of waking for each: fewer wake-ups (less CPU per sample), at most this much more latency; 0 wakes for every frame")
        ("web-root", po::value(&c.web_root), "directory of the dashboard's static files (default: installed, else source tree web/)")
        ("max-frame", po::value(&c.max_frame)->default_value(c.max_frame), "largest agent frame in bytes; larger ones are refused with close code 1009")
        ("max-reply", po::value(&c.max_reply)->default_value(c.max_reply), "largest frame in bytes from an agent that owes the hub a command's reply (a busy host's sockets or ps report); never below --max-frame")
        ("high-cpu", po::value(&c.high_cpu)->default_value(c.high_cpu), "cpu % at or above which a host is marked hot")
        ("log-format", po::value(&log_format)->default_value("text"), "terminal log format: text or json")
        ("log-min-cpu", po::value(&log_min_cpu), "log only samples whose cpu % is at least this")
        ("log-rate", po::value(&c.log_rate)->default_value(c.log_rate), "sample lines per second; past it the rest of each second is one summary line (0: a line for every sample)")
        ("log-file", po::value(&c.log_file), "append the terminal log (samples and events) to this file instead of stdout/stderr; reopened on SIGHUP, for logrotate")
        ("quiet,q", po::bool_switch(&c.quiet), "no per-sample log lines (connection events still go to stderr)")
        ("history", po::value(&c.history_points)->default_value(c.history_points), "history points kept per host")
        ("metrics-top-processes", po::value(&c.metrics_top_processes)->default_value(c.metrics_top_processes), "export the top N processes by CPU of each host on /metrics (0: none; each is a series per pid, so keep N small)")
        ("live-queue-bytes", po::value(&c.live_queue_bytes)->default_value(c.live_queue_bytes), "bytes of detail samples and errors queued for one dashboard before it counts as stalled (its snapshot and summaries, replaced rather than queued, do not count)")
        ("agent-idle-timeout", po::value(&c.agent_idle_s)->default_value(c.agent_idle_s), "seconds without a frame after which an agent connection is closed (1001)")
        ("http-header-timeout", po::value(&c.http_header_timeout_s)->default_value(c.http_header_timeout_s), "seconds a connection has to send a request's headers (and to send the next request on keep-alive) before it is closed")
        ("live-stall-ms", po::value(&c.live_stall_ms)->default_value(c.live_stall_ms), "a dashboard stalled this long is disconnected")
        ("live-part-hosts", po::value(&c.live_part_hosts)->default_value(c.live_part_hosts), "hosts per /ws/live summaries frame: a fleet's summaries go in parts so that the detail samples a dashboard follows are written between them")
        ("agent-token", po::value(&c.agent_tokens)->composing(), "token agents must send in their hello (repeatable; prefer --agent-token-file)")
        ("agent-token-file", po::value(&c.agent_token_files)->composing(), "file of agent tokens, one per line: TOKEN or NAME TOKEN")
        ("admin-token", po::value(&c.admin_tokens)->composing(), "token for process control, queries and the audit log (default: a random one, printed at start)")
        ("admin-token-file", po::value(&c.admin_token_files)->composing(), "file of admin tokens, one per line: TOKEN or NAME TOKEN")
        ("viewer-token", po::value(&c.viewer_tokens)->composing(), "token needed to read hosts and the live stream (default: reading is open)")
        ("viewer-token-file", po::value(&c.viewer_token_files)->composing(), "file of viewer tokens, one per line: TOKEN or NAME TOKEN")
        ("agent-tokens-file", po::value(&c.agent_credential_files)->composing(), "agent credentials: one per line NAME sha256:DIGEST [HOST_ID,...] (see `telehub token new`); re-read on SIGHUP")
        ("admin-tokens-file", po::value(&c.admin_credential_files)->composing(), "admin credentials, same format (no host ids); re-read on SIGHUP")
        ("viewer-tokens-file", po::value(&c.viewer_credential_files)->composing(), "viewer credentials, same format; re-read on SIGHUP")
        ("insecure", po::bool_switch(&c.insecure), "allow listening on a non-loopback address without agent tokens")
        ("command-timeout", po::value(&command_timeout_s)->default_value(5.0), "seconds to wait for an agent's reply to a command before answering 504")
        ("audit-log", po::value(&c.audit_log), "file the audit log is appended to (default: DATA-DIR/audit.jsonl)")
        ("rules", po::value(&c.rules_file), "alert rules file, TOML (docs/alerts.md); PUT /api/rules writes it back (default: built-in rules)")
        ("tls-cert", po::value(&c.tls_cert), "PEM certificate (chain) for HTTPS and WSS on the one port; with --tls-key")
        ("tls-key", po::value(&c.tls_key), "PEM private key of --tls-cert (ECDSA or RSA)")
        ("data-dir", po::value(&c.data_dir), "the hub's state: history.db, the generated certificate, the audit log (default: $STATE_DIRECTORY, else $XDG_STATE_HOME/telehub)")
        ("self-signed-tls", po::bool_switch(&c.self_signed_tls), "serve TLS with the certificate the hub makes in DATA-DIR, also on a loopback address (beyond loopback that is the default)")
        ("plain-from", po::value<std::vector<std::string>>()->composing(), "peer address that may use plain HTTP/WS instead of TLS (repeatable; replaces the default, 127.0.0.1 and ::1: name them too to keep loopback)")
        ("no-persist", po::bool_switch(&no_persist), "keep history in memory only (default: DATA-DIR/history.db, read back at start)")
        ("retention", po::value(&retention)->default_value(retention), "days the one-minute history tier is kept (or a duration: 12h, 90m)")
        ("forget-after", po::value(&forget_after)->default_value(forget_after), "days after which a host not seen is removed with its history (or a duration: 12h, 30s)")
        ("cluster", po::value(&c.cluster_url), "join the hubs sharing this Redis as one fleet: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] (docs/cluster.md)")
        ("cluster-ca", po::value(&c.cluster_ca), "with rediss://: PEM CA certificate(s) Redis's certificate must chain to (default: the system's trusted CAs)")
        ("cluster-cert", po::value(&c.cluster_cert), "with rediss://: PEM client certificate for Redis's tls-auth-clients; with --cluster-key")
        ("cluster-key", po::value(&c.cluster_key), "with rediss://: the PEM private key of --cluster-cert")
        ("hub-name", po::value(&c.hub_name), "this hub's name in the cluster: letters, digits, '.', '-', '_' (default: the host name)")
        ("max-hosts", po::value(&c.max_hosts), "hosts held at most; past it offline hosts with little history are forgotten, then new host ids are refused (4029) (default: a quarter of the memory at 64 KiB a host)");
    }
};

constexpr const char* hub_template_header =
    "# telehub (hub) settings, TOML. Every command-line flag is a key: --high-cpu 70 is high_cpu = 70,\n"
    "# and a flag given on the command line wins over this file. Each key below is commented out and\n"
    "# shows its default; remove the '#' to set it. Give paths in full (the service runs in /).\n"
    "#   check:  telehub --config /etc/telehub/hub.toml --check-config\n"
    "#   apply:  systemctl reload telehub   (high_cpu and the tokens and token files now; the rest at a restart)\n";

// Each value's checks, in terms of flags: an OptionError names the flag,
// which the caller turns into the file's line when the value came from there.
void validate(HubFlags& f, const po::variables_map& vm, HubConfig& c) {
    auto& listen = f.listen;
    auto& log_format = f.log_format;
    auto& log_min_cpu = f.log_min_cpu;
    auto& command_timeout_s = f.command_timeout_s;
    parse_listen(listen, c);
    if (c.agent_idle_s < 1 || c.agent_idle_s > 86400) bad("agent-idle-timeout", "must be 1-86400 seconds");
    if (c.http_header_timeout_s < 1 || c.http_header_timeout_s > 3600) bad("http-header-timeout", "must be 1-3600 seconds");
    if (c.log_rate > 1000000) bad("log-rate", "must be 0-1000000 lines per second");
    if (c.threads < 1 || c.threads > 256) bad("threads", "must be 1-256");
    for (const auto& [flag, tokens] : {std::pair{"agent-token", &c.agent_tokens}, {"admin-token", &c.admin_tokens},
                                       {"viewer-token", &c.viewer_tokens}})
        for (const auto& t : *tokens)
            if (t.size() < min_token_length)
                bad(flag, "a token is shorter than " + std::to_string(min_token_length) +
                              " characters (make one with: openssl rand -hex 32)");
    if (!(c.io_batch_ms >= 0 && c.io_batch_ms <= 100)) bad("io-batch-ms", "must be 0-100 ms");
    if (c.max_frame < 1024 || c.max_frame > (64u << 20)) bad("max-frame", "must be 1024 to 67108864 bytes");
    if (c.max_reply < 1024 || c.max_reply > (256u << 20)) bad("max-reply", "must be 1024 to 268435456 bytes");
    c.max_reply = std::max(c.max_reply, c.max_frame);
    check_percent("high-cpu", c.high_cpu);
    if (log_format == "text") c.log_format = LogFormat::text;
    else if (log_format == "json") c.log_format = LogFormat::json;
    else bad("log-format", "'" + log_format + "' must be text or json");
    if (vm.count("log-min-cpu")) {
        check_percent("log-min-cpu", log_min_cpu);
        c.log_min_cpu = log_min_cpu;
    }
    if (c.metrics_top_processes > 100) bad("metrics-top-processes", "must be 0-100 processes per host");
    if (c.history_points < 1 || c.history_points > 65000) bad("history", "must be 1-65000 points");
    if (c.live_queue_bytes < 4096) bad("live-queue-bytes", "must be at least 4096");
    if (c.live_stall_ms < 100) bad("live-stall-ms", "must be at least 100");
    if (c.live_part_hosts < 1) bad("live-part-hosts", "must be at least 1");
    if (c.web_root.empty()) c.web_root = default_web_root();
    if (!(command_timeout_s >= 0.1 && command_timeout_s <= 600)) bad("command-timeout", "must be 0.1 to 600 seconds");
    c.command_timeout_ms = static_cast<std::uint32_t>(command_timeout_s * 1000.0 + 0.5);
    if (c.data_dir.empty()) c.data_dir = default_data_dir();
    c.persist = !f.no_persist;
    const auto& retention = f.retention;
    const auto& forget_after = f.forget_after;
    if (auto ms = parse_duration_ms(retention, 86'400'000)) c.retention_ms = *ms;
    else bad("retention", "'" + retention + "' must be days (30) or a duration with s, m, h or d, from 1 s to 3650 d");
    if (auto ms = parse_duration_ms(forget_after, 86'400'000)) c.forget_after_ms = *ms;
    else bad("forget-after", "'" + forget_after + "' must be days (7) or a duration with s, m, h or d, from 1 s to 3650 d");
    if (!vm.count("max-hosts")) c.max_hosts = default_max_hosts();
    else if (c.max_hosts < 1 || c.max_hosts > 10'000'000) bad("max-hosts", "must be 1-10000000");
    if (c.audit_log.empty()) c.audit_log = (std::filesystem::path(c.data_dir) / "audit.jsonl").string();
    if (c.self_signed_tls && !c.tls_cert.empty()) bad("self-signed-tls", "contradicts --tls-cert");
    if (c.tls_cert.empty() != c.tls_key.empty())
        bad(c.tls_cert.empty() ? "tls-key" : "tls-cert", "needs --tls-cert and --tls-key together");
    if (!c.cluster_url.empty()) {
        auto url = parse_redis_url(c.cluster_url);
        if (auto* e = std::get_if<RedisUrlError>(&url)) bad("cluster", e->message);
        const bool tls = std::holds_alternative<RedisUrl>(url) && std::get<RedisUrl>(url).tls;
        for (const auto& [name, value] : {std::pair{"cluster-ca", &c.cluster_ca}, {"cluster-cert", &c.cluster_cert},
                                          {"cluster-key", &c.cluster_key}})
            if (!tls && !value->empty()) bad(name, "is for Redis over TLS: give --cluster rediss://...");
        if (c.cluster_cert.empty() != c.cluster_key.empty())
            bad(c.cluster_cert.empty() ? "cluster-key" : "cluster-cert", "needs --cluster-cert and --cluster-key together");
        if (c.hub_name.empty()) c.hub_name = local_host_name();
    }
    if (!c.hub_name.empty()) {
        if (c.hub_name.size() > 64) bad("hub-name", "must be at most 64 characters");
        for (char ch : c.hub_name)
            if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_'))
                bad("hub-name", "'" + c.hub_name + "' may hold only letters, digits, '.', '-' and '_'");
    }
    if (vm.count("plain-from")) {
        c.plain_from = vm["plain-from"].as<std::vector<std::string>>();
        for (const auto& a : c.plain_from) {
            boost::system::error_code ec;
            boost::asio::ip::make_address(a, ec);
            if (ec) bad("plain-from", "'" + a + "' is not an IP address");
        }
    }
}

}  // namespace

std::vector<std::string> hub_config_keys() {
    HubConfig scratch;
    HubFlags flags(scratch);
    return config::config_keys(flags.desc);
}

std::string local_host_name() {
    char buf[256] = "";
    if (::gethostname(buf, sizeof buf - 1) != 0 || !*buf) return "telehub";
    return buf;
}

std::string hub_version_line() { return std::string("telehub ") + TELEHUB_VERSION; }

CliResult parse_hub_config(int argc, const char* const* argv) {
    CliResult r;
    auto& c = r.config;
    HubFlags f(c);
    auto& desc = f.desc;
    po::variables_map vm;
    config::ConfigFile file;
    try {
        const auto parsed = po::command_line_parser(argc, argv).options(desc).run();
        // Boost keeps a word that is no option's value as a nameless option,
        // and store() drops it: "listen 127.0.0.1:9999" would go unnoticed.
        for (const auto& opt : parsed.options)
            if (opt.position_key != -1)
                throw std::runtime_error("unexpected argument '" + opt.original_tokens.front() +
                                         "': every setting is a flag (--listen ADDRESS:PORT); see --help");
        po::store(parsed, vm);
        if (vm.count("config-template")) {
            r.config_template = config::config_template(desc, hub_template_header,
                                                        {{"log_min_cpu", "50"}, {"max_hosts", "100000"}});
            return r;
        }
        if (vm.count("help") || vm.count("version")) {
            r.version = !vm.count("help");
            if (vm.count("help")) {
                std::ostringstream out;  // start-up only
                out << desc;
                r.help = out.str();
            }
            return r;
        }
        if (vm.count("config")) file = config::ConfigFile(vm["config"].as<std::string>(), desc, vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw std::runtime_error(e.what());
    }
    r.check_config = vm.count("check-config") > 0;
    try {
        validate(f, vm, c);
    } catch (const config::OptionError& e) {
        file.rethrow(e);
    }
    bool any_agent_token =
        !c.agent_tokens.empty() || !c.agent_token_files.empty() || !c.agent_credential_files.empty();
    if (!any_agent_token && !c.insecure && !boost::asio::ip::make_address(c.listen_address).is_loopback())
        throw std::runtime_error("refusing to listen on " + c.listen_address +
                                 " without an agent token: anyone who reaches the port could pose as any host. "
                                 "Give --agent-tokens-file (or --agent-token-file), or --insecure to accept that");
    return r;
}

void take_reloadable(HubConfig& to, const HubConfig& from) {
    to.high_cpu = from.high_cpu;
    to.agent_tokens = from.agent_tokens;
    to.admin_tokens = from.admin_tokens;
    to.viewer_tokens = from.viewer_tokens;
    to.agent_token_files = from.agent_token_files;
    to.admin_token_files = from.admin_token_files;
    to.viewer_token_files = from.viewer_token_files;
    to.agent_credential_files = from.agent_credential_files;
    to.admin_credential_files = from.admin_credential_files;
    to.viewer_credential_files = from.viewer_credential_files;
}

std::vector<std::string> restart_only_changes(const HubConfig& running, const HubConfig& next) {
    HubConfig rest = next;
    take_reloadable(rest, running);
    std::vector<std::string> keys;
    // Each differing field is named by its key and then made equal, so that
    // what is left unequal at the end is a field this table does not know.
    auto key = [&](const char* name, auto HubConfig::*field) {
        if (rest.*field == running.*field) return;
        rest.*field = running.*field;
        if (keys.empty() || keys.back() != name) keys.emplace_back(name);
    };
    key("listen", &HubConfig::listen_address);
    key("listen", &HubConfig::listen_port);
    key("threads", &HubConfig::threads);
    key("io_batch_ms", &HubConfig::io_batch_ms);
    key("web_root", &HubConfig::web_root);
    key("max_frame", &HubConfig::max_frame);
    key("max_reply", &HubConfig::max_reply);
    key("log_format", &HubConfig::log_format);
    key("log_min_cpu", &HubConfig::log_min_cpu);
    key("log_rate", &HubConfig::log_rate);
    key("log_file", &HubConfig::log_file);
    key("quiet", &HubConfig::quiet);
    key("history", &HubConfig::history_points);
    key("metrics_top_processes", &HubConfig::metrics_top_processes);
    key("live_queue_bytes", &HubConfig::live_queue_bytes);
    key("agent_idle_timeout", &HubConfig::agent_idle_s);
    key("http_header_timeout", &HubConfig::http_header_timeout_s);
    key("live_stall_ms", &HubConfig::live_stall_ms);
    key("live_part_hosts", &HubConfig::live_part_hosts);
    key("insecure", &HubConfig::insecure);
    key("command_timeout", &HubConfig::command_timeout_ms);
    key("audit_log", &HubConfig::audit_log);
    key("rules", &HubConfig::rules_file);
    key("tls_cert", &HubConfig::tls_cert);
    key("tls_key", &HubConfig::tls_key);
    key("data_dir", &HubConfig::data_dir);
    key("self_signed_tls", &HubConfig::self_signed_tls);
    key("plain_from", &HubConfig::plain_from);
    key("no_persist", &HubConfig::persist);
    key("retention", &HubConfig::retention_ms);
    key("forget_after", &HubConfig::forget_after_ms);
    key("cluster", &HubConfig::cluster_url);
    key("cluster_ca", &HubConfig::cluster_ca);
    key("cluster_cert", &HubConfig::cluster_cert);
    key("cluster_key", &HubConfig::cluster_key);
    key("hub_name", &HubConfig::hub_name);
    key("max_hosts", &HubConfig::max_hosts);
    if (!(rest == running)) keys.emplace_back("other settings");
    return keys;
}

}  // namespace telehub::hub
