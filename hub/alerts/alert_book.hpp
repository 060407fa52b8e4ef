// The hub's alerts, shared by every io thread: the evaluator behind a mutex,
// the recent changes for GET /api/alerts/history, and the rules file that a
// PUT /api/rules replaces (validated whole, written back, then applied).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hub/alerts/alert_evaluator.hpp"
#include "hub/alerts/rules_file.hpp"

namespace telehub::hub {

class AlertBook {
public:
    // `rules_path`: the --rules file, where a PUT is written back; empty when
    // the hub runs its default rules (a PUT then lives until the next start).
    AlertBook(std::vector<AlertRule> rules, std::string rules_path);
    // The rules and notifications of a rules file.
    AlertBook(RulesParse file, std::string rules_path);

    // Reads --rules FILE; throws std::runtime_error naming the file, line and
    // field when it cannot be read or parsed (a start-up error, docs/errors.md).
    static RulesParse load_rules_file(const std::string& path);

    void on_sample(std::string_view hostname, const Sample& sample, std::vector<AlertEvent>& out,
                   AlertEvaluator::HostHandle* handle = nullptr);
    void prefetch_state(const AlertEvaluator::HostHandle& handle) const;
    void on_tick(std::int64_t now_ms, std::span<const OfflineHost> offline, std::vector<AlertEvent>& out);
    void forget(std::string_view host_id);

    std::vector<ActiveAlert> active() const;
    std::vector<SavedAlert> saved() const;
    std::size_t restore(const std::vector<SavedAlert>& alerts);
    // Firing and resolved changes at or after `since_ms`, oldest first.
    std::vector<AlertEvent> history(std::int64_t since_ms) const;

    std::vector<AlertRule> rules() const;
    std::vector<NotifyTarget> targets() const;
    std::string rules_toml() const;

    // What a change of rule `rule_name` goes out to: the rule as in force now
    // and the notifications its `notify` names. nullopt: no such rule (any more).
    struct NotifyPlan {
        AlertRule rule;
        std::vector<NotifyTarget> targets;
    };
    std::optional<NotifyPlan> notify_plan(std::string_view rule_name) const;

    struct PutResult {
        int status = 200;   // 200, 400 (bad rules), 500 (the file could not be written)
        std::string error;  // what was wrong; empty on success
        std::string field;
    };
    // The old rules stay in force unless everything succeeded.
    PutResult put_rules(std::string_view toml_text);

private:
    void record(const std::vector<AlertEvent>& events, std::size_t from);

    mutable std::mutex mu_;
    AlertEvaluator eval_;
    std::vector<NotifyTarget> targets_;
    std::string rules_path_;
    std::deque<AlertEvent> history_;  // bounded, oldest first
};

// Replaces `path` whole or not at all (a temporary file, then rename): a
// crash mid-write leaves the old file. "" or what failed.
std::string write_file_atomically(const std::string& path, const std::string& text);

// One terminal log line for a change worth a line (firing, resolved).
std::string alert_log_line(const AlertEvent& e);
bool worth_a_line(const AlertEvent& e);

}  // namespace telehub::hub
