// The public face of hub/notify/: sending alert notices (webhook, Slack,
// command) and what of it survives a restart (docs/alerts.md).
#pragma once

#include "hub/notify/notice.hpp"
#include "hub/notify/notifier.hpp"
#include "hub/notify/notify_api.hpp"
#include "hub/notify/notify_state.hpp"
#include "hub/notify/retry_policy.hpp"
#include "hub/notify/senders.hpp"
