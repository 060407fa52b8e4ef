#include "hub/alerts/rules_file.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

// toml++ throws on a syntax error; it is caught right here and becomes a value.
#include <toml++/toml.h>

#include "telehub/tcp_state.hpp"
#include "telehub/toml_text_check.hpp"

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

// A string field of table `t` into `out`; a failure when it is not a string, or missing and `required`.
std::optional<Failure> text_field(const toml::table& t, std::string_view key, bool required, std::string& out) {
    const toml::node* n = t.get(key);
    if (!n) return required ? std::optional<Failure>(Failure{"missing", std::string(key)}) : std::nullopt;
    auto v = n->value<std::string>();
    if (!v) return Failure{"must be a string", std::string(key)};
    out = *v;
    return std::nullopt;
}

// The table's name (required, valid), then no field outside `known`.
std::optional<Failure> name_and_known_fields(const toml::table& t, std::string& name, const std::set<std::string_view>& known) {
    if (auto f = text_field(t, "name", true, name)) return f;
    if (!valid_name(name)) return Failure{"must be 1 to 64 letters, digits, '-', '_' or '.'", "name"};
    for (const auto& [key, node] : t)
        if (!known.count(key.str())) {
            std::string expected;
            for (std::string_view k : known) expected += (expected.empty() ? "" : ", ") + std::string(k);
            return Failure{"unknown field (expected " + expected + ")", std::string(key.str())};
        }
    return std::nullopt;
}

// One [[rule]] table into `rule`; the failure names its field.
std::optional<Failure> parse_rule(const toml::table& t, AlertRule& rule) {
    static const std::set<std::string_view> known = {"name",  "hosts", "metric",   "process", "op",     "threshold",
                                                     "clear", "for",   "severity", "notify",  "group"};
    auto text = [&](std::string_view key, bool required, std::string& out) { return text_field(t, key, required, out); };
    auto number = [&](std::string_view key, std::optional<double>& out) -> std::optional<Failure> {
        const toml::node* n = t.get(key);
        if (!n) return std::nullopt;
        // toml++ converts an integer only when a double holds it exactly: a
        // huge one would be "not a number" and miss its range check below.
        auto v = n->value<double>();
        if (!v && n->is_integer()) v = static_cast<double>(*n->value<std::int64_t>());
        if (!v || !std::isfinite(*v)) return Failure{"must be a number", std::string(key)};
        out = *v;
        return std::nullopt;
    };
    if (auto f = name_and_known_fields(t, rule.name, known)) return f;
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
    std::optional<double> group;
    if (auto f = number("group", group)) return f;
    if (group && (*group < 0 || *group > 300)) return Failure{"must be 0 to 300 seconds", "group"};
    if (group) rule.group_seconds = *group;
    return std::nullopt;
}

// One [[notification]] table into `target`; the failure names its field.
std::optional<Failure> parse_target(const toml::table& t, NotifyTarget& target) {
    static const std::set<std::string_view> known = {"name",    "type",    "url",       "secret",    "secret_file",
                                                     "ca_file", "command", "timeout",   "retry_for", "retry_max_delay"};
    auto text = [&](std::string_view key, bool required, std::string& out) { return text_field(t, key, required, out); };
    auto seconds = [&](std::string_view key, double max, double& out) -> std::optional<Failure> {
        const toml::node* n = t.get(key);
        if (!n) return std::nullopt;
        auto v = n->value<double>();
        if (!v || !std::isfinite(*v) || *v <= 0 || *v > max)
            return Failure{"must be a number of seconds over 0 and at most " + std::to_string(static_cast<int>(max)),
                           std::string(key)};
        out = *v;
        return std::nullopt;
    };
    if (auto f = name_and_known_fields(t, target.name, known)) return f;
    std::string type;
    if (auto f = text("type", true, type)) return f;
    if (type == "webhook") target.kind = NotifyKind::webhook;
    else if (type == "slack") target.kind = NotifyKind::slack;
    else if (type == "command") target.kind = NotifyKind::command;
    else return Failure{"must be webhook, slack or command", "type"};
    const bool http = target.kind != NotifyKind::command;
    if (auto f = text("url", http, target.url)) return f;
    if (!http && !target.url.empty()) return Failure{"only webhook and slack notifications take a url", "url"};
    if (http && !parse_http_url(target.url))
        return Failure{"must be an http:// or https:// URL with a host (and no user:password@)", "url"};
    if (auto f = text("secret", false, target.secret)) return f;
    if (auto f = text("secret_file", false, target.secret_file)) return f;
    if (target.kind != NotifyKind::webhook && (t.get("secret") || t.get("secret_file")))
        return Failure{"only webhook notifications are signed", t.get("secret") ? "secret" : "secret_file"};
    if (!target.secret.empty() && !target.secret_file.empty())
        return Failure{"give secret or secret_file, not both", "secret_file"};
    if (!target.secret_file.empty()) {
        std::ifstream in(target.secret_file);
        if (!in || !std::getline(in, target.secret) || target.secret.empty())
            return Failure{"cannot read a secret from " + target.secret_file, "secret_file"};
    }
    if (auto f = text("ca_file", false, target.ca_file)) return f;
    if (!target.ca_file.empty() && (!http || !target.url.starts_with("https://")))
        return Failure{"only https:// URLs take a ca_file", "ca_file"};
    if (const toml::node* n = t.get("command")) {
        if (http) return Failure{"only command notifications take a command", "command"};
        const toml::array* a = n->as_array();
        if (!a || a->empty()) return Failure{"must be a non-empty array of strings (the program, then its arguments)", "command"};
        for (const toml::node& e : *a) {
            auto v = e.value<std::string>();
            if (!v || (target.command.empty() && v->empty()))
                return Failure{"must be a non-empty array of strings (the program, then its arguments)", "command"};
            target.command.push_back(*v);
        }
    } else if (!http) {
        return Failure{"missing", "command"};
    }
    if (auto f = seconds("timeout", 300, target.timeout_s)) return f;
    if (auto f = seconds("retry_for", 7 * 86400, target.retry_for_s)) return f;
    if (auto f = seconds("retry_max_delay", 3600, target.retry_max_delay_s)) return f;
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

// Each [[key]] table of `doc` through `parse_one` into `into`, names unique;
// false at the first failure, with `out`'s error (file:line:col, the table's
// name, the field) set and everything parsed so far dropped.
template <class T, class ParseOne>
bool parse_tables(const toml::table& doc, const std::string& key, std::string_view source, ParseOne parse_one,
                  std::vector<T>& into, RulesParse& out) {
    const toml::node* node = doc.get(key);
    if (!node) return true;  // none: an empty file has no rules at all
    auto refuse = [&](const toml::node& at) {
        out.error = where(source, at.source()) + ": '" + key + "' must be [[" + key + "]] tables";
        out.field = key;
        return false;
    };
    const toml::array* list = node->as_array();
    if (!list) return refuse(*node);
    std::set<std::string> names;
    for (const toml::node& n : *list) {
        const toml::table* t = n.as_table();
        if (!t) return refuse(n);
        T item;
        std::optional<Failure> failure = parse_one(*t, item);
        if (!failure && !names.insert(item.name).second) failure = Failure{"a second " + key + " named '" + item.name + "'", "name"};
        if (failure) {
            const toml::node* at = t->get(failure->field);
            out.error = where(source, at ? at->source() : t->source()) + ": " + key +
                        (item.name.empty() ? std::string() : " '" + item.name + "'") + ": " + failure->field + ": " +
                        failure->message;
            out.field = failure->field;
            out.rules.clear();
            out.targets.clear();
            return false;
        }
        into.push_back(std::move(item));
    }
    return true;
}

}  // namespace

RulesParse parse_rules(std::string_view text, std::string_view source) {
    RulesParse out;
    if (auto p = toml_text_problem(text)) {
        out.error = std::string(source) + ":" + std::to_string(p->line) + ":" + std::to_string(p->column) + ": " + p->what;
        return out;
    }
    toml::table doc;
    try {
        doc = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        out.error = where(source, e.source()) + ": " + std::string(e.description());
        return out;
    }
    for (const auto& [key, node] : doc)
        if (key.str() != "rule" && key.str() != "notification") {
            out.error = where(source, node.source()) + ": unknown top-level key '" + std::string(key.str()) +
                        "' (rules are [[rule]] tables, notifications [[notification]] tables)";
            out.field = std::string(key.str());
            return out;
        }
    if (!parse_tables<NotifyTarget>(doc, "notification", source, parse_target, out.targets, out)) return out;
    auto rule_with_known_targets = [&](const toml::table& t, AlertRule& rule) {
        auto failure = parse_rule(t, rule);
        for (std::size_t i = 0; !failure && i < rule.notify.size(); ++i)
            if (std::none_of(out.targets.begin(), out.targets.end(), [&](const NotifyTarget& x) { return x.name == rule.notify[i]; }))
                failure = Failure{"no [[notification]] named '" + rule.notify[i] + "'", "notify"};
        return failure;
    };
    parse_tables<AlertRule>(doc, "rule", source, rule_with_known_targets, out.rules, out);
    return out;
}

std::string rules_to_toml(const std::vector<AlertRule>& rules, const std::vector<NotifyTarget>& targets) {
    std::string out = "# telehub alert rules (docs/alerts.md)\n";
    for (const NotifyTarget& t : targets) {
        out += "\n[[notification]]\nname = " + quoted(t.name) + "\ntype = " + quoted(notify_kind_name(t.kind)) + "\n";
        if (!t.url.empty()) out += "url = " + quoted(t.url) + "\n";
        if (!t.secret_file.empty()) out += "secret_file = " + quoted(t.secret_file) + "\n";
        else if (!t.secret.empty()) out += "secret = " + quoted(t.secret) + "\n";
        if (!t.ca_file.empty()) out += "ca_file = " + quoted(t.ca_file) + "\n";
        if (!t.command.empty()) {
            out += "command = [";
            for (std::size_t i = 0; i < t.command.size(); ++i) out += (i ? ", " : "") + quoted(t.command[i]);
            out += "]\n";
        }
        const NotifyTarget plain;
        if (t.timeout_s != plain.timeout_s) out += "timeout = " + number_text(t.timeout_s) + "\n";
        if (t.retry_for_s != plain.retry_for_s) out += "retry_for = " + number_text(t.retry_for_s) + "\n";
        if (t.retry_max_delay_s != plain.retry_max_delay_s) out += "retry_max_delay = " + number_text(t.retry_max_delay_s) + "\n";
    }
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
        if (r.group_seconds != AlertRule{}.group_seconds) out += "group = " + number_text(r.group_seconds) + "\n";
    }
    return out;
}

}  // namespace telehub::hub
