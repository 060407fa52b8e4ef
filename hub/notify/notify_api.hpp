// GET /api/notifications (docs/alerts.md): what was sent, what is being
// retried, what failed. A function of the notifier, no network.
#pragma once

#include <string_view>

#include "hub/http/http.hpp"
#include "hub/notify/notifier.hpp"

namespace telehub::hub {

HttpReply notifications_reply(const Notifier& notifier, std::string_view method);

}  // namespace telehub::hub
