#include "hub/alerts/alert_book.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

#include "hub/alerts/rules_file.hpp"

namespace telehub::hub {
namespace {

/* changes kept for GET /api/alerts/history: a day of a busy fleet's churn */
constexpr std::size_t history_limit = 10'000;

std::string format_value(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

}  // namespace

std::string write_file_atomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) return "cannot write " + tmp + ": " + std::generic_category().message(errno);
        out << text;
        out.flush();
        if (!out) return "cannot write " + tmp + ": " + std::generic_category().message(errno);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string why = std::generic_category().message(errno);
        ::unlink(tmp.c_str());
        return "cannot replace " + path + ": " + why;
    }
    return {};
}

bool worth_a_line(const AlertEvent& e) { return e.to == AlertState::firing || e.resolved; }

std::string alert_log_line(const AlertEvent& e) {
    std::string line = e.resolved ? "alert resolved: " : "alert firing: ";
    line += e.rule + " [" + std::string(severity_name(e.severity)) + "] host '" + e.host_id + "'";
    if (!e.hostname.empty() && e.hostname != e.host_id) line += " (" + e.hostname + ")";
    if (e.metric == AlertMetric::offline)  // its value is 1 against 1: say what it means
        line += e.resolved ? ": back online" : ": offline for " + std::to_string((e.at_ms - e.since_ms) / 1000) + " s";
    else
        line += e.resolved ? ": back to " + format_value(e.value) + " (clears at " + format_value(e.threshold) + ")"
                           : ": " + format_value(e.value) + " vs " + format_value(e.threshold);
    if (!e.resolved && !e.culprit.top_cpu.empty()) {
        const auto& p = e.culprit.top_cpu.front();
        line += "; busiest " + p.name + " (pid " + std::to_string(p.pid) + ", " + format_value(p.cpu) + "% CPU)";
    }
    if (e.historical) line += " [backfill: recorded, not notified]";
    if (e.late) line += " [fired in backfilled samples, still firing]";
    return line;
}

AlertBook::AlertBook(std::vector<AlertRule> rules, std::string rules_path)
    : eval_(std::move(rules)), rules_path_(std::move(rules_path)) {}

AlertBook::AlertBook(RulesParse file, std::string rules_path)
    : eval_(std::move(file.rules)), targets_(std::move(file.targets)), rules_path_(std::move(rules_path)) {}

RulesParse AlertBook::load_rules_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read the rules file " + path + " (--rules): " +
                                      std::generic_category().message(errno));
    std::stringstream text;
    text << in.rdbuf();
    RulesParse p = parse_rules(text.str(), path);
    if (!p.ok()) throw std::runtime_error("bad rules file (--rules): " + p.error);
    return p;
}

void AlertBook::record(const std::vector<AlertEvent>& events, std::size_t from) {
    for (std::size_t i = from; i < events.size(); ++i) {
        if (!worth_a_line(events[i]) || events[i].late) continue;
        history_.push_back(events[i]);
        if (history_.size() > history_limit) history_.pop_front();
    }
}

void AlertBook::on_sample(std::string_view hostname, const Sample& sample, std::vector<AlertEvent>& out,
                          AlertEvaluator::HostHandle* handle) {
    std::lock_guard lock(mu_);
    const std::size_t from = out.size();
    eval_.on_sample(hostname, sample, out, handle);
    if (out.size() != from) record(out, from);
}

void AlertBook::prefetch_state(const AlertEvaluator::HostHandle& handle) const {
    std::lock_guard lock(mu_);
    eval_.prefetch_state(handle);
}

void AlertBook::on_tick(std::int64_t now_ms, std::span<const OfflineHost> offline, std::vector<AlertEvent>& out) {
    std::lock_guard lock(mu_);
    const std::size_t from = out.size();
    eval_.on_tick(now_ms, offline, out);
    if (out.size() != from) record(out, from);
}

void AlertBook::forget(std::string_view host_id) {
    std::lock_guard lock(mu_);
    eval_.forget(host_id);
}

std::vector<ActiveAlert> AlertBook::active() const {
    std::lock_guard lock(mu_);
    return eval_.active();
}

std::vector<SavedAlert> AlertBook::saved() const {
    std::lock_guard lock(mu_);
    return eval_.saved();
}

std::size_t AlertBook::restore(const std::vector<SavedAlert>& alerts) {
    std::lock_guard lock(mu_);
    return eval_.restore(alerts);
}

std::vector<AlertEvent> AlertBook::history(std::int64_t since_ms) const {
    std::lock_guard lock(mu_);
    std::vector<AlertEvent> out;
    for (const AlertEvent& e : history_)
        if (e.at_ms >= since_ms) out.push_back(e);
    return out;
}

std::vector<AlertRule> AlertBook::rules() const {
    std::lock_guard lock(mu_);
    return eval_.rules();
}

std::vector<NotifyTarget> AlertBook::targets() const {
    std::lock_guard lock(mu_);
    return targets_;
}

std::string AlertBook::rules_toml() const {
    std::lock_guard lock(mu_);
    return rules_to_toml(eval_.rules(), targets_);
}

std::optional<AlertBook::NotifyPlan> AlertBook::notify_plan(std::string_view rule_name) const {
    std::lock_guard lock(mu_);
    for (const AlertRule& r : eval_.rules()) {
        if (r.name != rule_name) continue;
        NotifyPlan plan{r, {}};
        for (const std::string& n : r.notify)
            for (const NotifyTarget& t : targets_)
                if (t.name == n) plan.targets.push_back(t);
        return plan;
    }
    return std::nullopt;
}

AlertBook::PutResult AlertBook::put_rules(std::string_view toml_text) {
    RulesParse p = parse_rules(toml_text, "request body");
    if (!p.ok()) return {400, p.error, p.field};
    std::lock_guard lock(mu_);
    if (!rules_path_.empty()) {
        std::string failed = write_file_atomically(rules_path_, rules_to_toml(p.rules, p.targets));
        if (!failed.empty()) return {500, failed + "; the rules in force are unchanged", ""};
    }
    eval_.set_rules(std::move(p.rules));
    targets_ = std::move(p.targets);
    return {};
}

}  // namespace telehub::hub
