// The rules file (--rules FILE, and the body of PUT /api/rules): TOML, one
// [[rule]] table per rule (docs/alerts.md). Parsing is a value (docs/errors.md):
// the hub turns an error into a start-up failure or a 400.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hub/alerts/alert_rule.hpp"

namespace telehub::hub {

struct RulesParse {
    std::vector<AlertRule> rules;
    // "SOURCE:LINE:COLUMN: rule 'NAME': FIELD: what is wrong"; empty when it parsed.
    std::string error;
    std::string field;  // the field the error is about, "" when not one field's
    bool ok() const { return error.empty(); }
};

// `source` names the text in errors: the file's path, or "request body".
RulesParse parse_rules(std::string_view text, std::string_view source);

// The rules as a rules file that parse_rules reads back to the same rules.
std::string rules_to_toml(const std::vector<AlertRule>& rules);

}  // namespace telehub::hub
