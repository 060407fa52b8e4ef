// The hub's alerts, shared by every io thread: the evaluator behind a mutex,
// the recent changes for GET /api/alerts/history, and the rules file that a
// PUT /api/rules replaces (validated whole, written back, then applied).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hub/alerts/alert_evaluator.hpp"

namespace telehub::hub {

class AlertBook {
public:
    // `rules_path`: the --rules file, where a PUT is written back; empty when
    // the hub runs its default rules (a PUT then lives until the next start).
    AlertBook(std::vector<AlertRule> rules, std::string rules_path);

    // Reads --rules FILE; throws std::runtime_error naming the file, line and
    // field when it cannot be read or parsed (a start-up error, docs/errors.md).
    static std::vector<AlertRule> load_rules_file(const std::string& path);

    void on_sample(std::string_view hostname, const Sample& sample, std::vector<AlertEvent>& out);
    void on_tick(std::int64_t now_ms, std::span<const HostPresence> hosts, std::vector<AlertEvent>& out);
    void forget(std::string_view host_id);

    std::vector<ActiveAlert> active() const;
    // Firing and resolved changes at or after `since_ms`, oldest first.
    std::vector<AlertEvent> history(std::int64_t since_ms) const;

    std::vector<AlertRule> rules() const;
    std::string rules_toml() const;

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
    std::string rules_path_;
    std::deque<AlertEvent> history_;  // bounded, oldest first
};

// One terminal log line for a change worth a line (firing, resolved).
std::string alert_log_line(const AlertEvent& e);
bool worth_a_line(const AlertEvent& e);

}  // namespace telehub::hub
