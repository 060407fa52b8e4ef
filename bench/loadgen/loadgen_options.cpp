#include "loadgen/loadgen_options.hpp"

#include <charconv>
#include <sstream>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>

namespace telehub::loadgen {
namespace po = boost::program_options;

namespace {

[[noreturn]] void bad(const std::string& flag, const std::string& what) {
    throw std::runtime_error("invalid value for --" + flag + ": " + what);
}

void parse_hub(const std::string& v, LoadgenOptions& o) {
    auto colon = v.rfind(':');
    if (colon == std::string::npos || colon == 0) bad("hub", "'" + v + "' must be ADDR:PORT, e.g. 127.0.0.1:8080");
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address_v4(v.substr(0, colon), ec);
    if (ec) bad("hub", "'" + v.substr(0, colon) + "' is not an IPv4 address");
    if (!addr.is_loopback()) bad("hub", "'" + v.substr(0, colon) + "' is not a loopback address; the load generator only targets 127.0.0.0/8");
    unsigned port = 0;
    auto ps = std::string_view(v).substr(colon + 1);
    auto [p, err] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
    if (err != std::errc() || p != ps.data() + ps.size() || port == 0 || port > 65535)
        bad("hub", "port '" + std::string(ps) + "' must be 1-65535");
    o.hub_address = addr.to_string();
    o.hub_port = std::uint16_t(port);
}

std::vector<std::size_t> parse_steps(const std::string& v) {
    std::vector<std::size_t> out;
    std::string_view rest = v;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        auto item = rest.substr(0, comma);
        std::size_t n = 0;
        auto [p, err] = std::from_chars(item.data(), item.data() + item.size(), n);
        if (err != std::errc() || p != item.data() + item.size() || n == 0)
            bad("ramp-steps", "'" + std::string(item) + "' is not a positive agent count");
        if (!out.empty() && n <= out.back()) bad("ramp-steps", "counts must increase");
        out.push_back(n);
        rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
    if (out.empty()) bad("ramp-steps", "give at least one count");
    return out;
}

}  // namespace

LoadgenCli parse_loadgen_options(int argc, const char* const* argv) {
    LoadgenCli r;
    auto& o = r.options;
    std::string hub = "127.0.0.1:8080", steps;
    long hub_pid = 0;
    std::size_t hub_log_rate = 0;
    double restart_after = 0;
    bool no_persist = false;
    po::options_description desc(
        "telehub-loadgen: simulated agents and dashboards against a hub on loopback\nOptions");
    desc.add_options()
        ("help,h", "show this help and exit")
        ("hub", po::value(&hub)->default_value(hub), "ADDR:PORT of a running hub (127.0.0.0/8 only)")
        ("agents,n", po::value(&o.agents)->default_value(o.agents), "simulated agents")
        ("dashboards,d", po::value(&o.dashboards)->default_value(o.dashboards), "dashboard clients on /ws/live")
        ("detail", po::value(&o.detail_hosts)->default_value(o.detail_hosts), "hosts the first dashboard subscribes to in detail (latency is measured on them)")
        ("interval-ms", po::value(&o.interval_ms)->default_value(o.interval_ms), "sample interval of every agent")
        ("window", po::value(&o.window_s)->default_value(o.window_s), "seconds of the measured window")
        ("settle", po::value(&o.settle_s)->default_value(o.settle_s), "seconds after the last connection before the window")
        ("connect-rate", po::value(&o.connect_rate)->default_value(o.connect_rate), "new connections per second while ramping up")
        ("refresh", po::value(&o.refresh)->default_value(o.refresh), "re-encode each agent's whole sample every this many samples (seq, ts_ms and cpu change every sample)")
        ("hot-fraction", po::value(&o.hot_fraction)->default_value(o.hot_fraction), "share of hosts running hot")
        ("seed", po::value(&o.seed)->default_value(o.seed), "seed of the simulated values")
        ("hub-pid", po::value(&hub_pid), "pid of the hub for CPU and RSS (default: the process listening on the port)")
        ("spawn-hub", po::value(&o.spawn_hub), "start this hub binary on a free 127.0.0.1 port and stop it at the end")
        ("hub-threads", po::value(&o.hub_threads)->default_value(o.hub_threads), "--threads of a spawned hub")
        ("hub-log", po::value(&o.hub_log)->default_value(o.hub_log), "terminal log of a spawned hub: quiet, text or json")
        ("hub-no-persist", po::bool_switch(&no_persist), "start the spawned hub with --no-persist (history in memory only)")
        ("hub-log-rate", po::value(&hub_log_rate), "a spawned hub's --log-rate (default: the hub's own)")
        ("hub-rules", po::value(&o.hub_rules), "a spawned hub's --rules file (default: the hub's built-in rules)")
        ("hub-output", po::value(&o.hub_output)->default_value(o.hub_output), "file for a spawned hub's stdout and stderr")
        ("ramp", po::bool_switch(&o.ramp), "raise the agent count step by step until the hub stops keeping up")
        ("ramp-steps", po::value(&steps), "agent counts of --ramp, comma-separated (default 1000,2000,4000,...,20000)")
        ("max-seconds", po::value(&o.max_seconds)->default_value(o.max_seconds), "stop the whole run after this long")
        ("tls", po::bool_switch(&o.tls), "agents connect with wss:// (a spawned hub serves --self-signed-tls from a temporary data dir, and its certificate is pinned)")
        ("tls-fingerprint", po::value(&o.tls_fingerprint), "with --tls and --hub: the hub certificate's sha256:HEX to pin (default: no verification)")
        ("restart-after", po::value(&restart_after), "S seconds after the window, kill the spawned hub and start it again on the same port and data dir; agents reconnect with backoff, resume TLS and replay; report the time until all are back and any sample lost")
        ("restart-signal", po::value(&o.restart_signal)->default_value(o.restart_signal), "how the hub is stopped for --restart-after: kill (SIGKILL) or term (SIGTERM)")
        ("restart-timeout", po::value(&o.restart_timeout)->default_value(o.restart_timeout), "seconds to wait for every agent to be welcomed by the new hub")
        ("restart-settle", po::value(&o.restart_settle)->default_value(o.restart_settle), "seconds of streaming after every agent is back, before samples are checked")
        ("reconnect-every", po::value(&o.reconnect_every_s)->default_value(o.reconnect_every_s), "S > 0: agents behave like the real agent (reconnect with backoff, replay their buffer, answer commands) and on average every S seconds a random one closes its connection (1000) and reconnects; after the window every agent's newest seq is checked against the hub (a soak, scripts/soak)")
        ("agent-buffer", po::value(&o.agent_buffer)->default_value(o.agent_buffer), "samples each reconnecting agent keeps for replay (the agent's --buffer)")
        ("scrape-metrics", po::value(&o.scrape_metrics_s)->default_value(o.scrape_metrics_s), "GET /metrics every S seconds during the window, report each scrape's time and bytes and the latency p99 of samples that arrived while one ran (0: no scrapes)")
        ("scrape-path", po::value(&o.scrape_path)->default_value(o.scrape_path), "the path --scrape-metrics GETs: /metrics, or a REST route such as /api/hosts");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw std::runtime_error(std::string(e.what()) + " (see --help)");
    }
    if (vm.count("help")) {
        std::ostringstream out;  // start-up only
        out << desc;
        r.help = out.str();
        return r;
    }
    parse_hub(hub, o);
    if (o.agents < 1 || o.agents > 60000) bad("agents", "must be 1-60000");
    if (o.dashboards > 100) bad("dashboards", "must be 0-100");
    if (o.detail_hosts > 1000) bad("detail", "must be 0-1000");
    if (o.interval_ms < 10 || o.interval_ms > 60000) bad("interval-ms", "must be 10-60000");
    if (!(o.window_s >= 1 && o.window_s <= 86400)) bad("window", "must be 1-86400 seconds");
    if (!(o.settle_s >= 0 && o.settle_s <= 600)) bad("settle", "must be 0-600 seconds");
    if (!(o.connect_rate >= 1 && o.connect_rate <= 100000)) bad("connect-rate", "must be 1-100000 per second");
    if (o.refresh < 1 || o.refresh > 100000) bad("refresh", "must be at least 1");
    if (!(o.hot_fraction >= 0 && o.hot_fraction <= 1)) bad("hot-fraction", "must be 0-1");
    if (vm.count("hub-log-rate")) o.hub_log_rate = hub_log_rate;
    if (vm.count("hub-rules") && o.spawn_hub.empty()) bad("hub-rules", "needs --spawn-hub (a running hub has its rules already)");
    o.hub_persist = !no_persist;
    if (vm.count("hub-pid")) {
        if (hub_pid <= 0) bad("hub-pid", "must be a process id");
        o.hub_pid = pid_t(hub_pid);
    }
    if (o.hub_threads < 1 || o.hub_threads > 256) bad("hub-threads", "must be 1-256");
    if (o.hub_log != "quiet" && o.hub_log != "text" && o.hub_log != "json") bad("hub-log", "'" + o.hub_log + "' must be quiet, text or json");
    if (!steps.empty()) o.ramp_steps = parse_steps(steps);
    if (!(o.max_seconds >= 5)) bad("max-seconds", "must be at least 5");
    if (!o.tls_fingerprint.empty()) {
        if (!o.tls) bad("tls-fingerprint", "needs --tls");
        if (!o.spawn_hub.empty()) bad("tls-fingerprint", "a spawned hub's certificate is pinned already");
    }
    if (vm.count("restart-after")) {
        if (!(restart_after >= 0 && restart_after <= 3600)) bad("restart-after", "must be 0-3600 seconds");
        if (o.spawn_hub.empty()) bad("restart-after", "needs --spawn-hub (the load generator restarts the hub it started)");
        if (o.ramp) bad("restart-after", "does not go with --ramp");
        o.restart_after = restart_after;
    }
    if (o.restart_signal != "kill" && o.restart_signal != "term") bad("restart-signal", "'" + o.restart_signal + "' must be kill or term");
    if (!(o.restart_timeout >= 1 && o.restart_timeout <= 3600)) bad("restart-timeout", "must be 1-3600 seconds");
    if (!(o.restart_settle >= 0 && o.restart_settle <= 600)) bad("restart-settle", "must be 0-600 seconds");
    if (!(o.scrape_metrics_s >= 0 && o.scrape_metrics_s <= 3600)) bad("scrape-metrics", "must be 0-3600 seconds");
    if (o.scrape_path.empty() || o.scrape_path[0] != '/') bad("scrape-path", "'" + o.scrape_path + "' must start with /");
    if (!(o.reconnect_every_s >= 0 && o.reconnect_every_s <= 3600)) bad("reconnect-every", "must be 0-3600 seconds");
    if (o.reconnect_every_s > 0 && o.ramp) bad("reconnect-every", "does not go with --ramp");
    if (o.agent_buffer < 1 || o.agent_buffer > 1000000) bad("agent-buffer", "must be 1-1000000");
    if (!o.spawn_hub.empty() && vm.count("hub") && !vm["hub"].defaulted())
        bad("hub", "give either --hub or --spawn-hub, not both");
    return r;
}

}  // namespace telehub::loadgen
