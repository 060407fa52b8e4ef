#include "hub/notify/notify_api.hpp"

#include <nlohmann/json.hpp>

#include "telehub/json_text.hpp"

namespace telehub::hub {
namespace {

using json = nlohmann::json;

HttpReply json_reply(int status, const json& j) {
    return {status, "application/json", json_text(j), {}, {}};
}

}  // namespace

HttpReply notifications_reply(const Notifier& notifier, std::string_view method) {
    if (method != "GET" && method != "HEAD") {
        std::string message = "method ";
        message.append(method).append(" is not allowed on /api/notifications; use GET");
        auto r = error_reply(405, "method_not_allowed", message);
        r.allow = "GET";
        return r;
    }
    json list = json::array();
    for (const DeliveryView& d : notifier.deliveries()) {
        json j = {{"id", d.id},         {"notification", d.target}, {"type", notify_kind_name(d.kind)},
                  {"summary", d.summary}, {"status", d.status},       {"attempts", d.attempts},
                  {"first_ms", d.first_ms}, {"last_ms", d.last_ms},   {"last_error", d.last_error}};
        if (d.next_ms) j["next_ms"] = d.next_ms;
        list.push_back(std::move(j));
    }
    const NotifierCounters c = notifier.counters();
    return json_reply(200, {{"deliveries", list},
                            {"sent", c.sent},
                            {"failed", c.failed},
                            {"silenced", c.silenced},
                            {"dropped", c.dropped}});
}

}  // namespace telehub::hub
