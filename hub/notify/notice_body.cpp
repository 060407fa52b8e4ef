#include "hub/notify/notice.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "telehub/json_text.hpp"

namespace telehub::hub {
namespace {

using json = nlohmann::json;

/* hosts named in a Slack message before "and N more" */
constexpr std::size_t slack_hosts_listed = 20;
/* hosts named in the one-line summary (log lines, `summary`); `hosts` has them all */
constexpr std::size_t line_hosts_listed = 10;

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

// The container of the busiest process, where the culprit has one.
std::string container_of(const AlertEvent& e) {
    for (const auto& p : e.culprit.top_cpu)
        if (!p.container.empty()) return p.container;
    return {};
}

std::string host_label(const AlertEvent& e) {
    return e.hostname.empty() || e.hostname == e.host_id ? e.host_id : e.host_id + " (" + e.hostname + ")";
}

}  // namespace

std::string notice_line(const Notice& n, const AlertRule& rule) {
    std::string line = std::string(n.resolved ? "resolved: " : "firing: ") + rule.name + " [" +
                       std::string(severity_name(rule.severity)) + "] on ";
    for (std::size_t i = 0; i < n.alerts.size() && i < line_hosts_listed; ++i) line += (i ? ", " : "") + n.alerts[i].host_id;
    if (n.alerts.size() > line_hosts_listed) line += " and " + std::to_string(n.alerts.size() - line_hosts_listed) + " more";
    return line;
}

std::string notice_json(const Notice& n, const AlertRule& rule, const std::string& hub_name) {
    json hosts = json::array();
    json alerts = json::array();
    for (const AlertEvent& e : n.alerts) {
        hosts.push_back(e.host_id);
        json a = {{"host_id", e.host_id},   {"hostname", e.hostname}, {"value", e.value},
                  {"threshold", e.threshold}, {"since_ms", e.since_ms}, {"at_ms", e.at_ms}};
        if (!n.resolved) {
            a["container"] = container_of(e);
            a["culprit"] = culprit_json(e.culprit);
        }
        alerts.push_back(std::move(a));
    }
    json r = {{"name", rule.name},
              {"severity", severity_name(rule.severity)},
              {"metric", metric_name(rule)},
              {"op", comparison_name(rule.comparison)},
              {"threshold", rule.threshold},
              {"clear", rule.clear},
              {"for", rule.for_seconds},
              {"hosts", rule.hosts}};
    if (!rule.process.empty()) r["process"] = rule.process;
    json body = {{"version", 1},
                 {"hub", hub_name},
                 {"status", n.resolved ? "resolved" : "firing"},
                 {"rule", r},
                 {"summary", notice_line(n, rule)},
                 {"hosts", hosts},
                 {"alerts", alerts}};
    return json_text(body);
}

std::string notice_slack(const Notice& n, const AlertRule& rule, const std::string& hub_name) {
    std::string text = std::string(n.resolved ? ":white_check_mark: *RESOLVED* " : ":rotating_light: *FIRING* ") + "`" +
                       rule.name + "` [" + std::string(severity_name(rule.severity)) + "] on " +
                       std::to_string(n.alerts.size()) + (n.alerts.size() == 1 ? " host" : " hosts") + " (" + hub_name +
                       ": " + metric_name(rule) + " " + std::string(comparison_name(rule.comparison)) + " " +
                       number(rule.threshold) + ")";
    for (std::size_t i = 0; i < n.alerts.size() && i < slack_hosts_listed; ++i) {
        const AlertEvent& e = n.alerts[i];
        text += "\n• " + host_label(e) + ": " + number(e.value);
        if (!n.resolved && !e.culprit.top_cpu.empty()) {
            const auto& p = e.culprit.top_cpu.front();
            text += "; busiest `" + p.name + "` (pid " + std::to_string(p.pid) + ", " + number(p.cpu) + "% CPU" +
                    (p.user.empty() ? "" : ", user " + p.user) + (p.container.empty() ? "" : ", container " + p.container) + ")";
        }
        if (!n.resolved && !e.culprit.leaks.empty())
            text += "; leak suspect `" + e.culprit.leaks.front().name + "` (" + e.culprit.leaks.front().reason + ")";
    }
    if (n.alerts.size() > slack_hosts_listed)
        text += "\n… and " + std::to_string(n.alerts.size() - slack_hosts_listed) + " more";
    return json_text({{"text", text}});
}

}  // namespace telehub::hub
