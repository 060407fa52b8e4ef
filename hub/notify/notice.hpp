// A notice: one rule's change (firing or resolved) on one or more hosts, as
// one message. Changes of the same rule and kind that arrive within the
// rule's `group` seconds of the first join it, so a fleet-wide problem is one
// message naming every host, not a hundred.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/alerts/alerts.hpp"

namespace telehub::hub {

struct Notice {
    std::string rule;
    bool resolved = false;
    std::vector<AlertEvent> alerts;  // one per host, in the order they came
    std::int64_t due_ms = 0;         // when the group closes
};

class NoticeGrouper {
public:
    // `window_ms` 0: the change is a notice of its own, due at once.
    void add(AlertEvent e, std::int64_t window_ms, std::int64_t now_ms);
    // The notices whose window has closed by `now_ms`, oldest first.
    std::vector<Notice> take_due(std::int64_t now_ms);
    std::optional<std::int64_t> next_due_ms() const;
    bool empty() const { return open_.empty(); }

private:
    std::vector<Notice> open_;  // few at a time: a linear search is the fastest
};

// What a notice says on the wire (docs/alerts.md, "Notification bodies"),
// in notice_body.cpp:
// {"version":1, "hub", "status":"firing"|"resolved", "rule":{...}, "summary",
//  "hosts":[ids], "alerts":[{host_id, hostname, value, threshold, since_ms,
//  at_ms, container, culprit}]} ; `culprit` only when firing.
std::string notice_json(const Notice& n, const AlertRule& rule, const std::string& hub_name);
// {"text": "..."}: a line for the notice, then one per host (Slack mrkdwn).
std::string notice_slack(const Notice& n, const AlertRule& rule, const std::string& hub_name);
// One line: "firing: busy-loop [critical] on alerts-it, web-2".
std::string notice_line(const Notice& n, const AlertRule& rule);

}  // namespace telehub::hub
