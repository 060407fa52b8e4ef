#include "hub/alerts/alert_api.hpp"

#include <nlohmann/json.hpp>

#include "hub/alerts/alert_json.hpp"
#include "telehub/json_text.hpp"

namespace telehub::hub {
namespace {

using json = nlohmann::json;

/* GET /api/alerts/history?seconds= : at most a week back, an hour by default */
constexpr std::int64_t max_history_seconds = 7 * 24 * 3600;
constexpr std::int64_t default_history_seconds = 3600;

}  // namespace

HttpReply alerts_reply(const AlertBook& book) {
    json list = json::array();
    for (const ActiveAlert& a : book.active()) {
        json j = {{"rule", a.rule},
                  {"severity", severity_name(a.severity)},
                  {"host_id", a.host_id},
                  {"hostname", a.hostname},
                  {"state", alert_state_name(a.state)},
                  {"value", a.value},
                  {"threshold", a.threshold},
                  {"since_ms", a.since_ms}};
        if (a.state == AlertState::firing) {
            j["fired_ms"] = a.fired_ms;
            j["culprit"] = culprit_json(a.culprit);
        }
        list.push_back(std::move(j));
    }
    return {200, "application/json", json_text({{"alerts", list}}), {}};
}

HttpReply alerts_history_reply(const AlertBook& book, std::string_view query, std::int64_t now_ms) {
    auto param = parse_seconds_param(query, max_history_seconds);
    if (!param.error.empty()) return error_reply(400, "bad_parameter", param.error);
    const std::int64_t seconds = param.seconds.value_or(default_history_seconds);
    const std::int64_t since = now_ms - seconds * 1000;
    json list = json::array();
    for (const AlertEvent& e : book.history(since)) {
        json j = {{"rule", e.rule},
                  {"severity", severity_name(e.severity)},
                  {"host_id", e.host_id},
                  {"hostname", e.hostname},
                  {"change", e.resolved ? "resolved" : "firing"},
                  {"value", e.value},
                  {"threshold", e.threshold},
                  {"since_ms", e.since_ms},
                  {"at_ms", e.at_ms},
                  {"backfill", e.historical}};
        if (!e.resolved) j["culprit"] = culprit_json(e.culprit);
        list.push_back(std::move(j));
    }
    return {200, "application/json",
            json_text({{"seconds", seconds}, {"changes", list}}), {}};
}

HttpReply rules_reply(AlertBook& book, std::string_view method, std::string_view body) {
    if (method == "GET" || method == "HEAD") return {200, "application/toml", book.rules_toml(), {}};
    if (method == "PUT") {
        // A script whose body came out empty would otherwise turn every
        // alert off; removing them all is asked for with a file that says so.
        const bool empty = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
        auto r = empty ? AlertBook::PutResult{400,
                                              "the body is empty: send the whole rules file (to remove every rule, "
                                              "send a file without [[rule]], e.g. one comment line)",
                                              "body"}
                       : book.put_rules(body);
        if (r.status != 200) {
            auto reply = error_reply(r.status, r.status == 400 ? "bad_rules" : "rules_not_saved", r.error);
            if (!r.field.empty()) {
                json j = json::parse(reply.body);
                j["error"]["field"] = r.field;
                reply.body = json_text(j);
            }
            return reply;
        }
        return {200, "application/toml", book.rules_toml(), {}};
    }
    auto r = error_reply(405, "method_not_allowed",
                         "method " + std::string(method) + " is not allowed on /api/rules; use GET or PUT");
    r.allow = "GET, PUT";
    return r;
}

}  // namespace telehub::hub
