#include "hub/alerts/alert_rule.hpp"

#include <algorithm>

#include "telehub/tcp_state.hpp"

namespace telehub::hub {

std::optional<double> metric_value(const AlertRule& rule, const Sample& s) {
    switch (rule.metric) {
        case AlertMetric::cpu_total: return s.cpu.total;
        case AlertMetric::cpu_user: return s.cpu.user;
        case AlertMetric::cpu_system: return s.cpu.system;
        case AlertMetric::cpu_iowait: return s.cpu.iowait;
        case AlertMetric::cpu_steal: return s.cpu.steal;
        case AlertMetric::cpu_core_max:
            if (s.cpu.per_core.empty()) return std::nullopt;
            return *std::max_element(s.cpu.per_core.begin(), s.cpu.per_core.end());
        case AlertMetric::load1: return s.load[0];
        case AlertMetric::load5: return s.load[1];
        case AlertMetric::load15: return s.load[2];
        case AlertMetric::mem_available_bytes: return static_cast<double>(s.mem.available);
        case AlertMetric::mem_available_pct:
            if (s.mem.total == 0) return std::nullopt;
            return 100.0 * static_cast<double>(s.mem.available) / static_cast<double>(s.mem.total);
        case AlertMetric::tcp_state:
            if (rule.tcp_state <= 0 || rule.tcp_state >= tcp_state_count) return std::nullopt;
            return s.sockets.tcp[static_cast<std::size_t>(rule.tcp_state)];
        case AlertMetric::udp: return s.sockets.udp;
        case AlertMetric::unix_sockets: return s.sockets.unix_;
        case AlertMetric::process_cpu: {
            std::optional<double> best;
            for (const TopProcess& p : s.top)
                if (p.name == rule.process && (!best || p.cpu > *best)) best = p.cpu;
            return best;
        }
        case AlertMetric::process_sockets: {
            std::optional<double> best;
            for (const ProcessSockets& p : s.sockets.by_process) {
                if (p.name != rule.process) continue;
                double n = process_socket_count(rule, p);
                if (!best || n > *best) best = n;
            }
            return best;
        }
        case AlertMetric::leak_suspects: return static_cast<double>(s.leak_count());
        case AlertMetric::offline: return std::nullopt;
    }
    return std::nullopt;
}

double process_socket_count(const AlertRule& r, const ProcessSockets& p) {
    const bool state = r.tcp_state > 0 && r.tcp_state < tcp_state_count;
    switch (r.metric) {
        case AlertMetric::udp: return p.udp;
        case AlertMetric::unix_sockets: return p.unix_;
        default: return state ? p.tcp[static_cast<std::size_t>(r.tcp_state)] : static_cast<double>(p.total);
    }
}

bool breaches(const AlertRule& r, double v) {
    switch (r.comparison) {
        case AlertComparison::at_least: return v >= r.threshold;
        case AlertComparison::above: return v > r.threshold;
        case AlertComparison::at_most: return v <= r.threshold;
        case AlertComparison::below: return v < r.threshold;
    }
    return false;
}

bool cleared(const AlertRule& r, double v) {
    switch (r.comparison) {
        case AlertComparison::at_least:
        case AlertComparison::above: return v < r.clear;
        case AlertComparison::at_most:
        case AlertComparison::below: return v > r.clear;
    }
    return true;
}

std::string metric_name(const AlertRule& r) {
    switch (r.metric) {
        case AlertMetric::cpu_total: return "cpu.total";
        case AlertMetric::cpu_user: return "cpu.user";
        case AlertMetric::cpu_system: return "cpu.system";
        case AlertMetric::cpu_iowait: return "cpu.iowait";
        case AlertMetric::cpu_steal: return "cpu.steal";
        case AlertMetric::cpu_core_max: return "cpu.core_max";
        case AlertMetric::load1: return "load1";
        case AlertMetric::load5: return "load5";
        case AlertMetric::load15: return "load15";
        case AlertMetric::mem_available_bytes: return "mem.available_bytes";
        case AlertMetric::mem_available_pct: return "mem.available_pct";
        case AlertMetric::tcp_state: return "tcp." + std::string(tcp_state_name(r.tcp_state));
        case AlertMetric::udp: return "udp";
        case AlertMetric::unix_sockets: return "unix";
        case AlertMetric::process_cpu: return "process.cpu";
        case AlertMetric::process_sockets:
            return r.tcp_state > 0 ? "process.tcp." + std::string(tcp_state_name(r.tcp_state)) : "process.sockets";
        case AlertMetric::leak_suspects: return "leak_suspects";
        case AlertMetric::offline: return "offline";
    }
    return "?";
}

std::string_view comparison_name(AlertComparison c) {
    switch (c) {
        case AlertComparison::at_least: return ">=";
        case AlertComparison::above: return ">";
        case AlertComparison::at_most: return "<=";
        case AlertComparison::below: return "<";
    }
    return "?";
}

std::string_view severity_name(AlertSeverity s) {
    switch (s) {
        case AlertSeverity::info: return "info";
        case AlertSeverity::warning: return "warning";
        case AlertSeverity::critical: return "critical";
    }
    return "?";
}

bool glob_match(std::string_view pattern, std::string_view text) {
    // Iterative match with one backtrack point: linear in practice, and no
    // recursion a hostile pattern could deepen.
    std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

std::vector<AlertRule> default_rules(double high_cpu) {
    AlertRule cpu;
    cpu.name = "host-cpu-high";
    cpu.metric = AlertMetric::cpu_total;
    cpu.threshold = high_cpu;
    cpu.clear = std::max(0.0, high_cpu - 5);
    cpu.for_seconds = 60;
    cpu.severity = AlertSeverity::warning;

    AlertRule offline;
    offline.name = "host-offline";
    offline.metric = AlertMetric::offline;
    offline.threshold = 1;
    offline.clear = 1;
    offline.for_seconds = 30;
    offline.severity = AlertSeverity::critical;

    AlertRule leak;
    leak.name = "socket-leak-suspect";
    leak.metric = AlertMetric::leak_suspects;
    leak.threshold = 1;
    leak.clear = 1;
    leak.for_seconds = 60;
    leak.severity = AlertSeverity::warning;
    return {cpu, offline, leak};
}

}  // namespace telehub::hub
