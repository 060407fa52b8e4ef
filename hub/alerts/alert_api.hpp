// GET /api/alerts, GET /api/alerts/history and GET/PUT /api/rules
// (docs/alerts.md). Functions of the book and the request, no network.
#pragma once

#include <string_view>

#include <cstdint>

#include "hub/alerts/alert_book.hpp"
#include "hub/http/http.hpp"

namespace telehub::hub {

HttpReply alerts_reply(const AlertBook& book);
// The changes of the `seconds` (query) before `now_ms`.
HttpReply alerts_history_reply(const AlertBook& book, std::string_view query, std::int64_t now_ms);
// `method` GET or PUT; a PUT's `body` is a whole rules file. A 200 to a PUT
// means the rules were replaced.
HttpReply rules_reply(AlertBook& book, std::string_view method, std::string_view body);

}  // namespace telehub::hub
