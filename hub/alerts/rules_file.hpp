// The rules file (--rules FILE, and the body of PUT /api/rules): TOML, one
// [[rule]] table per rule (docs/alerts.md). Parsing is a value (docs/errors.md):
// the hub turns an error into a start-up failure or a 400.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hub/alerts/alert_rule.hpp"
#include "hub/alerts/notify_target.hpp"

namespace telehub::hub {

struct RulesParse {
    std::vector<AlertRule> rules;
    std::vector<NotifyTarget> targets;  // the [[notification]] tables
    // "SOURCE:LINE:COLUMN: rule 'NAME': FIELD: what is wrong"; empty when it parsed.
    std::string error;
    std::string field;  // the field the error is about, "" when not one field's
    bool ok() const { return error.empty(); }
};

// `source` names the text in errors: the file's path, or "request body".
// A notification's `secret_file` is read here (its first line).
RulesParse parse_rules(std::string_view text, std::string_view source);

// The rules and notifications as a rules file that parse_rules reads back to
// the same ones.
std::string rules_to_toml(const std::vector<AlertRule>& rules, const std::vector<NotifyTarget>& targets = {});

}  // namespace telehub::hub
