// GET /api/alerts, GET /api/alerts/history and GET/PUT /api/rules
// (docs/alerts.md). Pure functions of the context and the request.
#pragma once

#include <string_view>

#include "hub/http/http.hpp"

namespace telehub::hub {

struct HubContext;

HttpReply alerts_reply(HubContext& ctx);
HttpReply alerts_history_reply(HubContext& ctx, std::string_view query);
// `method` GET or PUT; a PUT's `body` is a whole rules file.
HttpReply rules_reply(HubContext& ctx, std::string_view method, std::string_view body);

}  // namespace telehub::hub
