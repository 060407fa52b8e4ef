// What the notifier keeps across a hub restart, as one small JSON file in the
// data directory (DATA-DIR/alerts.json), replaced whole on each save: alert
// states, silences, which alerts their receivers were told are firing, and
// the notices not yet delivered. A few kilobytes that change a few times a
// minute at most: a file the operator can read, not a table in history.db.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/alerts/alerts.hpp"
#include "hub/silences/silences.hpp"

namespace telehub::hub {

struct SavedDelivery {
    std::string target;  // the notification's name, looked up again at restore
    std::string summary;
    std::string body;
    int attempts = 0;
    std::int64_t first_ms = 0;
    std::string last_error;

    bool operator==(const SavedDelivery&) const = default;
};

struct NotifiedAlert {
    std::string rule;
    std::string host_id;
    std::string hostname;

    bool operator==(const NotifiedAlert&) const = default;
};

struct NotifyState {
    std::vector<SavedAlert> alerts;
    std::vector<Silence> silences;
    std::vector<NotifiedAlert> notified;  // told "firing", not yet "resolved"
    std::vector<SavedDelivery> outbox;

    bool operator==(const NotifyState&) const = default;
};

std::string notify_state_json(const NotifyState& s);
// nullopt and `error` set when the text is not a state file.
std::optional<NotifyState> parse_notify_state(const std::string& text, std::string& error);

}  // namespace telehub::hub
