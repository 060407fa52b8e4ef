#include "agent/agent_options.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string_view>
#include <sstream>
#include <vector>

#include <sys/stat.h>

#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>

#include "agent/stream/stream.hpp"
#include "telehub/cert_fingerprint.hpp"
#include "telehub/config_file.hpp"

namespace telehub::agent {
namespace po = boost::program_options;

namespace {

// A value of one flag is wrong: named as the flag on the command line, or at
// its key's line when it came from the config file (parse_agent_options).
[[noreturn]] void bad(const std::string& flag, const std::string& reason) {
    throw config::OptionError(flag, reason, "--" + flag + ": " + reason);
}

// Written so that NaN fails it too (every comparison with NaN is false).
template <class T>
void check_range(const char* flag, T v, T lo, T hi) {
    if (!(v >= lo && v <= hi)) {
        std::ostringstream msg;
        msg << v << (v == v ? " is out of range (" : " is not a number (expected ") << lo << ".." << hi << ")";
        if (flag[1] == '-') bad(flag + 2, msg.str());
        throw UsageError(std::string(flag) + ": " + msg.str());
    }
}

// A count flag, read signed (AgentFlags), once it is in range.
std::size_t counted(const char* flag, long long v, long long lo, long long hi) {
    check_range(flag, v, lo, hi);
    return static_cast<std::size_t>(v);
}

std::vector<std::string> split_list(const std::string& flag, const std::string& list) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(list);
    while (std::getline(in, item, ',')) {
        if (item.empty()) bad(flag, "'" + list + "' has an empty program name");
        out.push_back(item);
    }
    if (out.empty()) bad(flag, "expected program names separated by commas");
    return out;
}

// The first non-empty line, without surrounding blanks (a trailing \r included).
std::string read_token_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) bad("token-file", "cannot read '" + path + "'");
    // Warned, not refused, as ssh does not for a config: the agent may run as a user sharing a group on purpose.
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
        std::fprintf(stderr, "telehub-agent: warning: --token-file '%s' can be read or written by other users (mode %04o); "
                     "chmod 600 it\n", path.c_str(), static_cast<unsigned>(st.st_mode & 07777));
    std::string line;
    while (std::getline(in, line)) {
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos) continue;
        auto last = line.find_last_not_of(" \t\r");
        return line.substr(first, last - first + 1);
    }
    bad("token-file", "'" + path + "' holds no token (no non-empty line)");
}

void parse_control_flags(const po::variables_map& vm, AgentOptions& o) {
    o.allow_exec = vm.count("allow-exec") > 0;
    o.control = vm.count("no-control") == 0;
    if (vm.count("exec-allow")) {
        if (!o.allow_exec) throw UsageError("--exec-allow needs --allow-exec");
        o.exec_allow = split_list("exec-allow", vm["exec-allow"].as<std::string>());
    }
    if (o.allow_exec && !o.control) throw UsageError("--allow-exec and --no-control contradict each other");
    // As OptionErrors, so that a file that sets both is named with the line (of token).
    if (vm.count("token") && vm.count("token-file"))
        throw config::OptionError("token", "give token or token_file, not both", "give --token or --token-file, not both");
    if (vm.count("token") && o.token.empty()) throw UsageError("--token: the token is empty");
    if (vm.count("token-file")) o.token = read_token_file(vm["token-file"].as<std::string>());
    for (const char* flag : {"allow-exec", "exec-allow", "no-control", "token", "token-file", "ca-file",
                             "hub-fingerprint", "insecure"})
        if (vm.count(flag) && o.hub_url.empty()) throw UsageError(std::string("--") + flag + " applies only with --hub");
}

bool names_this_machine(const std::string& host) {
    if (host == "localhost") return true;
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(host, ec);
    return !ec && a.is_loopback();
}

// Whom the agent trusts as its hub (docs/tls.md): wss:// with the system's
// CAs, --ca-file or a pinned --hub-fingerprint; ws:// only on this machine
// unless --insecure says otherwise.
void parse_tls_flags(const po::variables_map& vm, AgentOptions& o) {
    o.insecure = vm.count("insecure") > 0;
    if (vm.count("ca-file")) o.ca_file = vm["ca-file"].as<std::string>();
    if (vm.count("hub-fingerprint")) {
        auto fp = normalize_fingerprint(vm["hub-fingerprint"].as<std::string>());
        if (!fp) bad("hub-fingerprint", "expected sha256:<64 hex digits>, as the hub prints it");
        o.hub_fingerprint = *fp;
    }
    if (o.hub_url.empty()) return;
    std::vector<HubUrl> urls;
    try {
        urls = hub_urls_or_throw(o.hub_url);
    } catch (const std::invalid_argument& e) {
        throw config::OptionError("hub", e.what(), e.what());  // the message names --hub already
    }
    if (!o.ca_file.empty() && !o.hub_fingerprint.empty())
        throw config::OptionError("hub-fingerprint", "give ca_file or hub_fingerprint, not both",
                                  "give --ca-file or --hub-fingerprint, not both");
    const bool all_tls = std::all_of(urls.begin(), urls.end(), [](const HubUrl& u) { return u.tls; });
    if (!all_tls && (!o.ca_file.empty() || !o.hub_fingerprint.empty())) {
        const std::string flag = o.ca_file.empty() ? "hub-fingerprint" : "ca-file";
        const std::string reason =
            "needs a wss:// hub URL" + (urls.size() > 1 ? std::string(" (every one of --hub)") : std::string());
        throw config::OptionError(flag, reason, "--" + flag + " " + reason);
    }
    if (!o.ca_file.empty()) {
        std::ifstream in(o.ca_file);
        if (!in) bad("ca-file", "cannot read '" + o.ca_file + "'");
    }
    for (const auto& url : urls)
        if (!url.tls && !names_this_machine(url.host) && !o.insecure)
            throw UsageError("--hub " + url.to_string() +
                             ": ws:// would send the token, samples and commands in clear text across the network; "
                             "use wss:// (with --hub-fingerprint for a hub's generated certificate), or --insecure");
}


// The flags, bound to the options: one table for the command line and the
// config file (every flag --x-y is the key x_y).
struct AgentFlags {
    // Counts are read signed and checked into AgentOptions by validate():
    // Boost reads "-1" into an unsigned type as 2^64-1, which hid the sign.
    long long top_n_short = 0, top_n = 0, top_sockets = 0, top_containers = 0, buffer = 0, count = 0, leak_min = 0;
    po::options_description flags{"telehub-agent [sockets | top | sockwatch [all]] [options]\n"
                                  "Every option is also a key of the --config file: --interval 2 is interval = 2,\n"
                                  "except those for one run on the command line, listed last.\nOptions"};
    // Printing runs and reports: a service never wants them, and `once` or
    // `count` in agent.toml would make the service exit and restart for ever.
    po::options_description run_flags{"For one run on the command line (not config keys)"};

    explicit AgentFlags(AgentOptions& o) {
    flags.add_options()
        ("help,h", "show this help")
        ("version", "print the version and exit")
        ("config", po::value<std::string>(), "TOML file of settings (keys as the flags, with _ for -); the command line wins")
        ("config-template", "print a config file of every key, commented out, with its help and default, and exit")
        ("check-config", "check the flags and the --config file (and the files they name), say what is wrong, and exit: 0 when fine, 2 otherwise")
        ("hub", po::value(&o.hub_url), "hub URL, e.g. wss://hub.example:8443/ws/agent (ws:// on this machine); several hubs of a cluster as URL1,URL2,... (one at a time, the next after a failure); without it, samples are printed")
        ("interval", po::value(&o.interval_s)->default_value(1.0), "seconds between samples")
        ("top", po::value(&top_n)->default_value(10), "processes in the top-N table")
        ("top-sockets", po::value(&top_sockets)->default_value(10), "processes listed by socket count")
        ("host-id", po::value(&o.host_id), "host id (default: /etc/machine-id, else the hostname)")
        ("buffer", po::value(&buffer)->default_value(300), "samples kept for replay while the hub is unreachable")
        ("leak-window", po::value(&o.leak_window_s)->default_value(60), "seconds of socket growth before a leak suspect")
        ("leak-min", po::value(&leak_min)->default_value(20), "sockets of growth over the window for a leak suspect")
        ("close-wait-max", po::value(&o.close_wait_max_s)->default_value(60), "seconds a socket may sit in CLOSE_WAIT")
        ("no-netlink", "read sockets from /proc/net only (the fallback path)")
        ("no-setns", "read other network namespaces from /proc/PID/net instead of sock_diag inside them (also TELEHUB_NO_SETNS=1)")
        ("top-containers", po::value(&top_containers)->default_value(20), "containers listed by CPU (those with leak suspects are always listed)")
        ("allow-exec", "let the hub start programs on this host (exec); off by default")
        ("exec-allow", po::value<std::string>(), "with --allow-exec: only these programs, e.g. echo,uptime (exact `cmd` match)")
        ("no-control", "refuse every command from the hub and announce no capabilities")
        ("token", po::value(&o.token), "token the hub requires from agents (made by telehub token new on the hub; prefer --token-file, which keeps it out of ps)")
        ("token-file", po::value<std::string>(), "read the token from the first non-empty line of this file")
        ("ca-file", po::value<std::string>(), "PEM file of the CAs that may sign the hub's certificate (default: the system's CA store)")
        ("hub-fingerprint", po::value<std::string>(), "trust only the hub certificate with this SHA-256 (sha256:HEX, as the hub prints it)")
        ("insecure", "allow ws:// (no TLS) to a hub on another machine")
        ("proc-root", po::value(&o.proc_root)->default_value("/proc"), "where /proc is (for tests)");
    run_flags.add_options()
        ("once", "print one complete sample (two readings one interval apart) and exit")
        ("format", po::value(&o.format), "text | json (default: json for --once, text otherwise)")
        ("count", po::value(&count)->default_value(0), "stop after this many samples (0: never)")
        ("csv", "CSV output for the sockets and top reports")
        (",n", po::value(&top_n_short), "for `top`: how many processes (same as --top)")
        ("pid", po::value(&o.watch_pid), "for `sockwatch`: only this process")
        ("name", po::value(&o.watch_name), "for `sockwatch`: only processes of this name");
    }
};

// Every check that needs the values parsed: an OptionError names its flag.
void validate(const AgentFlags& f, const po::variables_map& vm, const std::string& mode_word,
              const std::string& target_word, AgentOptions& o) {
    if (mode_word == "sockets") o.mode = AgentMode::sockets;
    else if (mode_word == "top") o.mode = AgentMode::top;
    else if (mode_word == "sockwatch") o.mode = AgentMode::sockwatch;
    else if (!mode_word.empty())
        throw UsageError("unknown mode '" + mode_word + "' (expected: sockets, top, sockwatch, or none)");
    if (!target_word.empty() && !(o.mode == AgentMode::sockwatch && target_word == "all"))
        throw UsageError("unexpected argument '" + target_word + "'");
    // The socket-watch seed reported every 7 s.
    if (o.mode == AgentMode::sockwatch && vm["interval"].defaulted()) o.interval_s = 7.0;
    if (vm.count("once")) {
        if (o.mode != AgentMode::stream) throw UsageError("--once cannot be combined with `" + mode_word + "`");
        o.mode = AgentMode::once;
    }
    o.csv = vm.count("csv") > 0;
    o.netlink = vm.count("no-netlink") == 0;
    // The environment variable lets tests force the fallback on agents they do not start themselves.
    const char* no_setns = std::getenv("TELEHUB_NO_SETNS");
    o.setns = vm.count("no-setns") == 0 && !(no_setns && *no_setns && std::string_view(no_setns) != "0");

    check_range("--interval", o.interval_s, 0.05, 3600.0);
    o.top_n = counted(vm.count("-n") ? "-n" : "--top", vm.count("-n") ? f.top_n_short : f.top_n, 1, 10000);
    o.top_sockets = counted("--top-sockets", f.top_sockets, 0, 10000);
    o.top_containers = counted("--top-containers", f.top_containers, 0, 10000);
    o.buffer = counted("--buffer", f.buffer, 1, 1000000);
    check_range("--leak-window", o.leak_window_s, 1.0, 86400.0);
    o.leak_min = static_cast<std::uint32_t>(counted("--leak-min", f.leak_min, 1, 1000000));
    check_range("--close-wait-max", o.close_wait_max_s, 0.0, 86400.0);
    if (f.count < 0) bad("count", std::to_string(f.count) + " must not be negative (0: run until stopped)");
    o.count = static_cast<std::size_t>(f.count);
    if (vm.count("host-id") && o.host_id.find_first_not_of(" \t\r\n") == std::string::npos)
        bad("host-id", "the host id is empty; give one, or leave it out for /etc/machine-id (else the hostname)");
    if ((vm.count("pid") || vm.count("name")) && o.mode != AgentMode::sockwatch)
        throw UsageError("--pid and --name apply only to `sockwatch`");
    if (vm.count("pid")) check_range("--pid", o.watch_pid, 1, 1 << 22);
    if (o.format.empty()) o.format = o.mode == AgentMode::once ? "json" : "text";
    if (o.format != "text" && o.format != "json")
        bad("format", "'" + o.format + "' is not one of text, json");
    if (o.csv && o.mode != AgentMode::sockets && o.mode != AgentMode::top)
        throw UsageError("--csv applies only to the `sockets` and `top` reports");
    if (!o.hub_url.empty() && o.mode != AgentMode::stream)
        throw UsageError("--hub applies only to streaming mode");
    parse_control_flags(vm, o);
    parse_tls_flags(vm, o);
}

}  // namespace

std::vector<std::string> agent_config_keys() {
    AgentOptions scratch;
    AgentFlags f(scratch);
    return config::config_keys(f.flags);
}

std::string agent_version_line() { return std::string("telehub-agent ") + TELEHUB_VERSION; }

ParsedOptions parse_agent_options(int argc, const char* const argv[]) {
    ParsedOptions out;
    AgentOptions& o = out.options;
    std::string mode_word;
    AgentFlags f(o);
    auto& flags = f.flags;
    po::options_description hidden;
    std::string target_word;
    hidden.add_options()("mode", po::value(&mode_word))("target", po::value(&target_word));
    po::options_description all;
    all.add(flags).add(f.run_flags).add(hidden);
    po::positional_options_description positional;
    positional.add("mode", 1).add("target", 1);

    po::variables_map vm;
    config::ConfigFile file;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        if (vm.count("help")) {
            std::ostringstream text;
            text << flags << "\n" << f.run_flags;
            out.help = true;
            out.help_text = text.str();
            return out;
        }
        if (vm.count("version")) {
            out.version = true;
            return out;
        }
        if (vm.count("config-template")) {
            out.config_template = config::config_template(
                flags,
                "# telehub-agent settings, TOML. Every command-line flag is a key: --interval 2 is interval = 2,\n"
                "# and a flag given on the command line wins over this file. Each key below is commented out and\n"
                "# shows its default; remove the '#' to set it. Give paths in full.\n"
                "#   check:  telehub-agent --config /etc/telehub/agent.toml --check-config\n"
                "#   apply:  systemctl restart telehub-agent\n",
                {{"host_id", "\"web1\""}, {"exec_allow", "\"uptime,df\""}, {"token_file", "\"/etc/telehub/agent.token\""},
                 {"ca_file", "\"/etc/telehub/hub-ca.pem\""}});
            return out;
        }
        if (vm.count("config")) file = config::ConfigFile(vm["config"].as<std::string>(), flags, vm, &f.run_flags);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    out.check_config = vm.count("check-config") > 0;
    out.config_file = file.path();
    try {
        validate(f, vm, mode_word, target_word, o);
    } catch (const config::OptionError& e) {
        if (file.origin(e.option)) file.rethrow(e);
        throw UsageError(e.what());
    }
    return out;
}

SamplerOptions sampler_options_from(const AgentOptions& o) {
    SamplerOptions s{o.proc_root, o.host_id, o.top_n, o.top_sockets, o.netlink, o.setns, o.top_containers, {}};
    s.leak.window_ms = static_cast<std::int64_t>(o.leak_window_s * 1000);
    s.leak.min_growth = o.leak_min;
    s.leak.close_wait_max_ms = static_cast<std::int64_t>(o.close_wait_max_s * 1000);
    return s;
}

}  // namespace telehub::agent
