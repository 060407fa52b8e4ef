// An alert's culprit as JSON, the same in GET /api/alerts and in the
// notification bodies (docs/alerts.md).
#pragma once

#include <nlohmann/json.hpp>

#include "hub/alerts/alert_evaluator.hpp"

namespace telehub::hub {

// {"top_cpu":[{pid,name,user,cpu,cmdline,container}], "top_sockets":[...], "leaks":[...]}
nlohmann::json culprit_json(const AlertCulprit& c);

}  // namespace telehub::hub
