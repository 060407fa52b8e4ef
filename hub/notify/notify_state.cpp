#include "hub/notify/notify_state.hpp"

#include <nlohmann/json.hpp>

#include "telehub/json_text.hpp"

namespace telehub::hub {
namespace {

using json = nlohmann::json;

constexpr int state_version = 1;

AlertState state_from(const std::string& s) { return s == "firing" ? AlertState::firing : AlertState::pending; }

}  // namespace

std::string notify_state_json(const NotifyState& s) {
    json alerts = json::array();
    for (const SavedAlert& a : s.alerts)
        alerts.push_back({{"rule", a.rule}, {"rule_toml", a.rule_toml}, {"host_id", a.host_id}, {"hostname", a.hostname},
                          {"state", alert_state_name(a.state)}, {"value", a.value}, {"since_ms", a.since_ms},
                          {"fired_ms", a.fired_ms}, {"last_ms", a.last_ms}});
    json silences = json::array();
    for (const Silence& x : s.silences)
        silences.push_back({{"id", x.id}, {"rule", x.rule}, {"host", x.host}, {"until_ms", x.until_ms},
                            {"comment", x.comment}, {"created_by", x.created_by}, {"created_ms", x.created_ms}});
    json notified = json::array();
    for (const NotifiedAlert& n : s.notified)
        notified.push_back({{"rule", n.rule}, {"host_id", n.host_id}, {"hostname", n.hostname}});
    json outbox = json::array();
    for (const SavedDelivery& d : s.outbox)
        outbox.push_back({{"target", d.target}, {"summary", d.summary}, {"body", d.body}, {"attempts", d.attempts},
                          {"first_ms", d.first_ms}, {"last_error", d.last_error}});
    return json_text({{"version", state_version}, {"alerts", alerts}, {"silences", silences}, {"notified", notified},
                      {"outbox", outbox}},
                     1);
}

std::optional<NotifyState> parse_notify_state(const std::string& text, std::string& error) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        error = "not JSON";
        return std::nullopt;
    }
    if (j.value("version", 0) != state_version) {
        error = "version " + json_text(j.value("version", json(0))) + ", this hub reads version " + std::to_string(state_version);
        return std::nullopt;
    }
    try {
        NotifyState s;
        for (const json& a : j.at("alerts"))
            s.alerts.push_back({a.at("rule"), a.at("rule_toml"), a.at("host_id"), a.at("hostname"), state_from(a.at("state")),
                                a.at("value"), a.at("since_ms"), a.at("fired_ms"), a.at("last_ms")});
        for (const json& x : j.at("silences"))
            s.silences.push_back({x.at("id"), x.at("rule"), x.at("host"), x.at("until_ms"), x.at("comment"),
                                  x.at("created_by"), x.at("created_ms")});
        for (const json& n : j.at("notified")) s.notified.push_back({n.at("rule"), n.at("host_id"), n.at("hostname")});
        for (const json& d : j.at("outbox"))
            s.outbox.push_back({d.at("target"), d.at("summary"), d.at("body"), d.at("attempts"), d.at("first_ms"),
                                d.at("last_error")});
        return s;
    } catch (const json::exception& e) {
        // nlohmann's at() and conversions throw on a missing or mistyped field: the file is not ours or damaged.
        error = std::string("a field is missing or of the wrong type: ") + e.what();
        return std::nullopt;
    }
}

}  // namespace telehub::hub
