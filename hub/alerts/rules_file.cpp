#include "hub/alerts/rules_file.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <optional>
#include <set>
#include <sstream>

// toml++ throws on a syntax error; it is caught right here and becomes a value.
#include <toml++/toml.h>

#include "telehub/tcp_state.hpp"

namespace telehub::hub {
namespace {

struct Failure {
    std::string message;
    std::string field;
};

std::string where(std::string_view source, const toml::source_region& r) {
    std::ostringstream out;
    out << source << ':' << r.begin.line << ':' << r.begin.column;
    return out.str();
}

bool parse_metric(std::string_view m, AlertRule& rule) {
    static const std::pair<std::string_view, AlertMetric> plain[] = {
        {"cpu.total", AlertMetric::cpu_total},
        {"cpu.user", AlertMetric::cpu_user},
        {"cpu.system", AlertMetric::cpu_system},
        {"cpu.iowait", AlertMetric::cpu_iowait},
        {"cpu.steal", AlertMetric::cpu_steal},
        {"cpu.core_max", AlertMetric::cpu_core_max},
        {"load1", AlertMetric::load1},
        {"load5", AlertMetric::load5},
        {"load15", AlertMetric::load15},
        {"mem.available_bytes", AlertMetric::mem_available_bytes},
        {"mem.available_pct", AlertMetric::mem_available_pct},
        {"udp", AlertMetric::udp},
        {"unix", AlertMetric::unix_sockets},
        {"process.cpu", AlertMetric::process_cpu},
        {"process.sockets", AlertMetric::process_sockets},
        {"leak_suspects", AlertMetric::leak_suspects},
        {"offline", AlertMetric::offline},
    };
    for (const auto& [name, metric] : plain)
        if (m == name) {
            rule.metric = metric;
            return true;
        }
    for (auto [prefix, metric] : {std::pair<std::string_view, AlertMetric>{"tcp.", AlertMetric::tcp_state},
                                  {"process.tcp.", AlertMetric::process_sockets}}) {
        if (!m.starts_with(prefix)) continue;
        auto state = tcp_state_from_name(m.substr(prefix.size()));
        if (!state) return false;
        rule.metric = metric;
        rule.tcp_state = *state;
        return true;
    }
    return false;
}

constexpr std::string_view metric_list =
    "cpu.total, cpu.user, cpu.system, cpu.iowait, cpu.steal, cpu.core_max, load1, load5, load15, "
    "mem.available_bytes, mem.available_pct, tcp.STATE, udp, unix, process.cpu, process.sockets, "
    "process.tcp.STATE, leak_suspects, offline";

bool valid_name(std::string_view n) {
    if (n.empty() || n.size() > 64) return false;
    for (char c : n)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
    return true;
}

// One [[rule]] table into `rule`; the failure names its field.
std::optional<Failure> parse_rule(const toml::table& t, AlertRule& rule) {
    static const std::set<std::string_view> known = {"name",  "hosts", "metric",   "process", "op",
                                                     "threshold", "clear", "for", "severity", "notify"};
    auto text = [&](std::string_view key, bool required, std::string& out) -> std::optional<Failure> {
        const toml::node* n = t.get(key);
        if (!n) return required ? std::optional<Failure>(Failure{"missing", std::string(key)}) : std::nullopt;
        auto v = n->value<std::string>();
        if (!v) return Failure{"must be a string", std::string(key)};
        out = *v;
        return std::nullopt;
    };
    auto number = [&](std::string_view key, std::optional<double>& out) -> std::optional<Failure> {
        const toml::node* n = t.get(key);
        if (!n) return std::nullopt;
        auto v = n->value<double>();  // integers convert too
        if (!v || !std::isfinite(*v)) return Failure{"must be a number", std::string(key)};
        out = *v;
        return std::nullopt;
    };
    if (auto f = text("name", true, rule.name)) return f;
    if (!valid_name(rule.name)) return Failure{"must be 1 to 64 letters, digits, '-', '_' or '.'", "name"};
    for (const auto& [key, node] : t)
        if (!known.count(key.str()))
            return Failure{"unknown field (expected name, hosts, metric, process, op, threshold, clear, for, "
                           "severity, notify)",
                           std::string(key.str())};
    if (auto f = text("hosts", false, rule.hosts)) return f;
    if (rule.hosts.empty()) return Failure{"must not be empty (\"*\" for every host)", "hosts"};
    std::string metric;
    if (auto f = text("metric", true, metric)) return f;
    if (!parse_metric(metric, rule))
        return Failure{"unknown metric '" + metric + "' (expected one of " + std::string(metric_list) + ")", "metric"};
    if (auto f = text("process", false, rule.process)) return f;
    bool per_process = rule.metric == AlertMetric::process_cpu || rule.metric == AlertMetric::process_sockets;
    if (per_process && rule.process.empty()) return Failure{"missing: " + metric + " needs the process name", "process"};
    if (!per_process && !rule.process.empty()) return Failure{"only process.* metrics take a process", "process"};
    std::string op = ">=";
    if (auto f = text("op", false, op)) return f;
    if (op == ">=") rule.comparison = AlertComparison::at_least;
    else if (op == ">") rule.comparison = AlertComparison::above;
    else if (op == "<=") rule.comparison = AlertComparison::at_most;
    else if (op == "<") rule.comparison = AlertComparison::below;
    else return Failure{"must be one of >=, >, <=, <", "op"};
    std::optional<double> threshold, clear, for_s;
    if (auto f = number("threshold", threshold)) return f;
    if (rule.metric == AlertMetric::offline || rule.metric == AlertMetric::leak_suspects) {
        if (!threshold) threshold = 1;
    }
    if (!threshold) return Failure{"missing", "threshold"};
    rule.threshold = *threshold;
    if (auto f = number("clear", clear)) return f;
    rule.clear = clear.value_or(rule.threshold);
    bool upward = rule.comparison == AlertComparison::at_least || rule.comparison == AlertComparison::above;
    if (upward ? rule.clear > rule.threshold : rule.clear < rule.threshold)
        return Failure{std::string("must be on the good side of the threshold (") + (upward ? "<=" : ">=") + " " +
                           std::to_string(rule.threshold) + ")",
                       "clear"};
    if (auto f = number("for", for_s)) return f;
    if (for_s && (*for_s < 0 || *for_s > 86400)) return Failure{"must be 0 to 86400 seconds", "for"};
    rule.for_seconds = for_s.value_or(0);
    std::string severity = "warning";
    if (auto f = text("severity", false, severity)) return f;
    if (severity == "info") rule.severity = AlertSeverity::info;
    else if (severity == "warning") rule.severity = AlertSeverity::warning;
    else if (severity == "critical") rule.severity = AlertSeverity::critical;
    else return Failure{"must be info, warning or critical", "severity"};
    if (const toml::node* n = t.get("notify")) {
        const toml::array* a = n->as_array();
        if (!a) return Failure{"must be an array of strings", "notify"};
        for (const toml::node& e : *a) {
            auto v = e.value<std::string>();
            if (!v || v->empty()) return Failure{"must be an array of non-empty strings", "notify"};
            rule.notify.push_back(*v);
        }
    }
    return std::nullopt;
}

std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
            continue;
        }
        out.push_back(c);
    }
    return out + "\"";
}

std::string number_text(double v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    std::string s(buf, ec == std::errc() ? end : buf);
    // TOML needs a digit after a point and reads "1e5" as a float: both fine.
    return s.empty() ? "0" : s;
}

}  // namespace

RulesParse parse_rules(std::string_view text, std::string_view source) {
    RulesParse out;
    toml::table doc;
    try {
        doc = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        out.error = where(source, e.source()) + ": " + std::string(e.description());
        return out;
    }
    for (const auto& [key, node] : doc)
        if (key.str() != "rule") {
            out.error = where(source, node.source()) + ": unknown top-level key '" + std::string(key.str()) +
                        "' (rules are [[rule]] tables)";
            out.field = std::string(key.str());
            return out;
        }
    const toml::node* rules = doc.get("rule");
    if (!rules) return out;  // an empty file: no rules at all
    const toml::array* list = rules->as_array();
    if (!list) {
        out.error = where(source, rules->source()) + ": 'rule' must be [[rule]] tables";
        out.field = "rule";
        return out;
    }
    std::set<std::string> names;
    for (const toml::node& n : *list) {
        const toml::table* t = n.as_table();
        if (!t) {
            out.error = where(source, n.source()) + ": 'rule' must be [[rule]] tables";
            out.field = "rule";
            return out;
        }
        AlertRule rule;
        auto failure = parse_rule(*t, rule);
        if (!failure && !names.insert(rule.name).second) failure = Failure{"a second rule named '" + rule.name + "'", "name"};
        if (failure) {
            const toml::node* at = t->get(failure->field);
            out.error = where(source, at ? at->source() : t->source()) + ": rule" +
                        (rule.name.empty() ? std::string() : " '" + rule.name + "'") + ": " + failure->field + ": " +
                        failure->message;
            out.field = failure->field;
            out.rules.clear();
            return out;
        }
        out.rules.push_back(std::move(rule));
    }
    return out;
}

std::string rules_to_toml(const std::vector<AlertRule>& rules) {
    std::string out = "# telehub alert rules (docs/alerts.md)\n";
    for (const AlertRule& r : rules) {
        out += "\n[[rule]]\nname = " + quoted(r.name) + "\n";
        if (r.hosts != "*") out += "hosts = " + quoted(r.hosts) + "\n";
        out += "metric = " + quoted(metric_name(r)) + "\n";
        if (!r.process.empty()) out += "process = " + quoted(r.process) + "\n";
        out += "op = " + quoted(comparison_name(r.comparison)) + "\n";
        out += "threshold = " + number_text(r.threshold) + "\n";
        if (r.clear != r.threshold) out += "clear = " + number_text(r.clear) + "\n";
        if (r.for_seconds != 0) out += "for = " + number_text(r.for_seconds) + "\n";
        out += "severity = " + quoted(severity_name(r.severity)) + "\n";
        if (!r.notify.empty()) {
            out += "notify = [";
            for (std::size_t i = 0; i < r.notify.size(); ++i) out += (i ? ", " : "") + quoted(r.notify[i]);
            out += "]\n";
        }
    }
    return out;
}

}  // namespace telehub::hub
