// An alert rule: which hosts, which figure of their samples, when it counts
// as a problem, and when the problem is over (docs/alerts.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telehub/sample.hpp"

namespace telehub::hub {

enum class AlertMetric {
    cpu_total,
    cpu_user,
    cpu_system,
    cpu_iowait,
    cpu_steal,
    cpu_core_max,
    load1,
    load5,
    load15,
    mem_available_bytes,
    mem_available_pct,
    tcp_state,        // host sockets in `AlertRule::tcp_state`
    udp,              // host UDP sockets
    unix_sockets,     // host UNIX sockets
    process_cpu,      // the busiest process named `AlertRule::process`, % of one core
    process_sockets,  // the process named `AlertRule::process` holding the most sockets
    leak_suspects,    // how many leak suspects the sample names
    offline,          // 1 while the host's agent is offline, else 0
};

enum class AlertComparison { at_least, above, at_most, below };

enum class AlertSeverity { info, warning, critical };

struct AlertRule {
    std::string name;
    std::string hosts = "*";  // glob on the host id or the hostname
    AlertMetric metric = AlertMetric::cpu_total;
    int tcp_state = 0;      // for tcp_state (and process_sockets, where 0 means all sockets)
    std::string process;    // for process_cpu / process_sockets: the process name (comm)
    AlertComparison comparison = AlertComparison::at_least;
    double threshold = 0;
    // The value the figure must pass back over for a firing alert to resolve
    // (hysteresis); the threshold itself when not given.
    double clear = 0;
    double for_seconds = 0;
    AlertSeverity severity = AlertSeverity::warning;
    std::vector<std::string> notify;  // names of [[notification]] tables (notify_target.hpp)
    // Hosts firing (or resolving) this rule within this many seconds of the
    // first go out as one notification naming them all.
    double group_seconds = 2;

    bool operator==(const AlertRule&) const = default;
};

// The metric's value in `sample`; nullopt when the sample does not carry it
// (no process of that name, offline, which is not a sample figure).
std::optional<double> metric_value(const AlertRule& rule, const Sample& sample);

// One process's sockets as a socket rule counts them: in the rule's TCP
// state, UDP, UNIX, or (process_sockets without a state) all of them.
double process_socket_count(const AlertRule& rule, const ProcessSockets& p);

// Whether `value` breaches the rule (the threshold), and whether it is back
// on the good side of the clear value.
bool breaches(const AlertRule& rule, double value);
bool cleared(const AlertRule& rule, double value);

// The names used in rules files and the API: "cpu.total", "tcp.CLOSE_WAIT", ">=", "critical".
std::string metric_name(const AlertRule& rule);
std::string_view comparison_name(AlertComparison c);
std::string_view severity_name(AlertSeverity s);

// A shell-style glob: '*' any run, '?' one character, everything else itself.
bool glob_match(std::string_view pattern, std::string_view text);

// The rules a hub runs with no rules file: host CPU at or above `high_cpu` for
// 60 s, host offline for 30 s, any leak suspect for 60 s.
std::vector<AlertRule> default_rules(double high_cpu);

}  // namespace telehub::hub
