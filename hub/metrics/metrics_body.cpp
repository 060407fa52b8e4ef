#include "hub/metrics/metrics_body.hpp"

#include <string_view>

#include "hub/metrics/exposition.hpp"

namespace telehub::hub {
namespace {

using T = MetricType;

struct Labeled {
    const HostMetrics* host;
    std::string labels;  // host="..",hostname=".."
};

// One family with one line per host; `sampled`: only hosts that sent a sample.
template <class Value>
void per_host(Exposition& x, const std::vector<Labeled>& hosts, std::string_view name, T type, std::string_view help,
              bool sampled, Value value) {
    x.family(name, type, help);
    for (const auto& h : hosts)
        if (!sampled || h.host->has_sample) x.sample(name, h.labels, value(*h.host));
}

void cpu_families(Exposition& x, const std::vector<Labeled>& hosts) {
    per_host(x, hosts, "telehub_host_cpu_ratio", T::gauge,
             "Busy fraction of all the host's cores over the latest sample's interval (iowait counts as idle).", true,
             [](const HostMetrics& h) { return h.gauges.cpu / 100.0; });
    constexpr std::string_view mode = "telehub_host_cpu_mode_ratio";
    x.family(mode, T::gauge, "Fraction of all the host's cores spent in each mode over the latest sample's interval.");
    for (const auto& h : hosts) {
        if (!h.host->has_sample) continue;
        const auto& g = h.host->gauges;
        x.sample(mode, h.labels, {"mode", "user"}, g.cpu_user / 100.0);
        x.sample(mode, h.labels, {"mode", "system"}, g.cpu_system / 100.0);
        x.sample(mode, h.labels, {"mode", "iowait"}, g.cpu_iowait / 100.0);
        x.sample(mode, h.labels, {"mode", "steal"}, g.cpu_steal / 100.0);
    }
}

void load_memory_process_families(Exposition& x, const std::vector<Labeled>& hosts) {
    per_host(x, hosts, "telehub_host_load1", T::gauge, "1-minute load average.", true,
             [](const HostMetrics& h) { return h.gauges.load[0]; });
    per_host(x, hosts, "telehub_host_load5", T::gauge, "5-minute load average.", true,
             [](const HostMetrics& h) { return h.gauges.load[1]; });
    per_host(x, hosts, "telehub_host_load15", T::gauge, "15-minute load average.", true,
             [](const HostMetrics& h) { return h.gauges.load[2]; });
    per_host(x, hosts, "telehub_host_memory_total_bytes", T::gauge, "Physical memory (MemTotal).", true,
             [](const HostMetrics& h) { return h.gauges.mem_total; });
    per_host(x, hosts, "telehub_host_memory_available_bytes", T::gauge, "Memory available to start new work (MemAvailable).",
             true, [](const HostMetrics& h) { return h.gauges.mem_available; });
    per_host(x, hosts, "telehub_host_processes", T::gauge, "Processes on the host.", true,
             [](const HostMetrics& h) { return h.gauges.procs_total; });
    per_host(x, hosts, "telehub_host_processes_running", T::gauge, "Processes running or runnable (procs_running).", true,
             [](const HostMetrics& h) { return h.gauges.procs_running; });
}

void socket_families(Exposition& x, const std::vector<Labeled>& hosts) {
    constexpr std::string_view tcp = "telehub_host_tcp_sockets";
    x.family(tcp, T::gauge, "TCP sockets (IPv4 and IPv6) in each state.");
    for (const auto& h : hosts) {
        if (!h.host->has_sample) continue;
        for (int s = tcp_established; s <= tcp_closing; ++s)
            x.sample(tcp, h.labels, {"state", tcp_state_name(s)}, h.host->gauges.tcp[static_cast<std::size_t>(s)]);
    }
    per_host(x, hosts, "telehub_host_udp_sockets", T::gauge, "UDP sockets.", true,
             [](const HostMetrics& h) { return h.gauges.udp; });
    per_host(x, hosts, "telehub_host_unix_sockets", T::gauge, "UNIX domain sockets.", true,
             [](const HostMetrics& h) { return h.gauges.unix_; });
    per_host(x, hosts, "telehub_host_raw_sockets", T::gauge, "Raw sockets.", true,
             [](const HostMetrics& h) { return h.gauges.raw; });
    per_host(x, hosts, "telehub_host_socket_opens_per_second", T::gauge,
             "TCP connections opened per second over the latest interval (kernel counters), or sockets seen opening "
             "when those were not read.",
             true, [](const HostMetrics& h) { return h.gauges.opens_per_s; });
    per_host(x, hosts, "telehub_host_leak_suspects", T::gauge, "Processes the agent suspects of leaking sockets.", true,
             [](const HostMetrics& h) { return h.gauges.leaks; });
}

void state_families(Exposition& x, const std::vector<Labeled>& hosts) {
    per_host(x, hosts, "telehub_host_online", T::gauge, "1 while the host's agent is connected and on time, else 0.",
             false, [](const HostMetrics& h) { return h.online ? 1u : 0u; });
    per_host(x, hosts, "telehub_host_last_seen_timestamp_seconds", T::gauge,
             "When the hub last heard from the host (unix time, hub clock).", false,
             [](const HostMetrics& h) { return static_cast<double>(h.last_seen_ms) / 1000.0; });
    per_host(x, hosts, "telehub_host_missing_samples", T::gauge,
             "Samples missing from the host's sequence (it falls when a replay fills a hole).", false,
             [](const HostMetrics& h) { return h.gaps; });
    per_host(x, hosts, "telehub_host_history_bytes", T::gauge, "Memory held by the host's history.", false,
             [](const HostMetrics& h) { return h.history_bytes; });
}

// Off unless the hub keeps top processes (--metrics-top-processes).
void process_families(Exposition& x, const std::vector<Labeled>& hosts) {
    struct Row {
        const ProcessGauges* p;
        std::string labels;
    };
    std::vector<Row> rows;
    for (const auto& h : hosts) {
        for (const auto& p : h.host->gauges.top) {
            const auto pid = std::to_string(p.pid);
            rows.push_back({&p, label_list({{"host", h.host->host_id}, {"hostname", h.host->hostname},
                                            {"pid", pid}, {"name", p.name}})});
        }
    }
    if (rows.empty()) return;
    auto family = [&](std::string_view name, std::string_view help, auto value) {
        x.family(name, T::gauge, help);
        for (const auto& r : rows) x.sample(name, r.labels, value(*r.p));
    };
    family("telehub_process_cpu_ratio", "Share of one core a top process used over the latest interval.",
           [](const ProcessGauges& p) { return p.cpu / 100.0; });
    family("telehub_process_resident_memory_bytes", "Resident memory of a top process.",
           [](const ProcessGauges& p) { return p.rss; });
    family("telehub_process_threads", "Threads of a top process.", [](const ProcessGauges& p) { return p.threads; });
}

void hub_families(Exposition& x, const std::vector<Labeled>& hosts, const HubStats& s, const HubFacts& f) {
    auto get = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    auto one = [&x](std::string_view name, T type, std::string_view help, auto value) {
        x.family(name, type, help);
        x.sample(name, {}, value);
    };
    std::uint64_t online = 0;
    std::uint64_t history = 0;
    for (const auto& h : hosts) {
        online += h.host->online ? 1 : 0;
        history += h.host->history_bytes;
    }
    x.family("telehub_hub_hosts", T::gauge, "Hosts the hub knows, by whether they are online.");
    x.sample("telehub_hub_hosts", {}, {"state", "online"}, online);
    x.sample("telehub_hub_hosts", {}, {"state", "offline"}, hosts.size() - online);
    one("telehub_hub_agents_connected", T::gauge, "Agent connections open now.", get(s.agents_connected));
    one("telehub_hub_agents_replaced_total", T::counter, "Agent connections closed because a newer one took their host.",
        get(s.agents_replaced));
    one("telehub_hub_samples_received_total", T::counter, "Samples received from agents.", get(s.samples_received));
    one("telehub_hub_received_bytes_total", T::counter, "Payload bytes of every agent frame.", get(s.bytes_received));
    one("telehub_hub_sample_gaps_total", T::counter, "Samples missed, by jumps in a host's sequence.", get(s.gaps));
    one("telehub_hub_duplicate_samples_total", T::counter, "Samples received twice and ignored.", get(s.duplicates));
    x.family("telehub_hub_frames_refused_total", T::counter, "Agent frames refused, by reason.");
    for (std::size_t i = 0; i < s.refused.size(); ++i)
        x.sample("telehub_hub_frames_refused_total", {}, {"reason", refuse_reason_name(static_cast<RefuseReason>(i))},
                 get(s.refused[i]));
    one("telehub_hub_dashboards_connected", T::gauge, "Live dashboard connections open now.", get(s.live_clients));
    one("telehub_hub_dashboards_dropped_total", T::counter, "Dashboards disconnected for not keeping up.",
        get(s.live_clients_dropped));
    one("telehub_hub_dashboard_messages_dropped_total", T::counter,
        "Stale summaries replaced by newer ones before a slow dashboard got them.", get(s.live_messages_dropped));
    one("telehub_hub_log_lines_dropped_total", T::counter, "Terminal log lines dropped past --log-rate or a full queue.",
        f.log_lines_dropped);
    one("telehub_hub_http_requests_total", T::counter, "HTTP requests read.", get(s.http_requests));
    one("telehub_hub_auth_failures_total", T::counter, "Requests and agents refused for their token.",
        get(s.auth_failures));
    one("telehub_hub_tls_handshake_failures_total", T::counter, "TLS connections that ended before their handshake.",
        get(s.tls_handshake_failures));
    x.family("telehub_hub_commands_total", T::counter, "Relayed commands, by how they ended.");
    for (std::size_t i = 0; i < s.command_outcomes.size(); ++i)
        x.sample("telehub_hub_commands_total", {}, {"outcome", command_outcome_name(static_cast<CommandOutcome>(i))},
                 get(s.command_outcomes[i]));
    one("telehub_hub_history_bytes", T::gauge, "Memory held by every host's history.", history);
    one("telehub_hub_metrics_build_seconds", T::gauge, "Time the previous /metrics body took to build.",
        f.previous_build_seconds);
    one("telehub_hub_start_time_seconds", T::gauge, "When the hub started (unix time).",
        static_cast<double>(f.started_ms) / 1000.0);
}

}  // namespace

std::string build_metrics_body(const std::vector<HostMetrics>& hosts, const HubStats& stats, const HubFacts& facts) {
    std::vector<Labeled> labeled;
    labeled.reserve(hosts.size());
    std::size_t label_bytes = 0;
    for (const auto& h : hosts) {
        labeled.push_back({&h, label_list({{"host", h.host_id}, {"hostname", h.hostname}})});
        label_bytes += labeled.back().labels.size();
    }
    std::string out;
    // 34 lines a host, each its labels and about 48 bytes of name and value:
    // one allocation instead of a string that doubles its way to ~30 MB at 10,000 hosts.
    out.reserve(16384 + (label_bytes + hosts.size() * 48) * 34);
    Exposition x(out);
    cpu_families(x, labeled);
    load_memory_process_families(x, labeled);
    socket_families(x, labeled);
    state_families(x, labeled);
    process_families(x, labeled);
    hub_families(x, labeled, stats, facts);
    return out;
}

}  // namespace telehub::hub
