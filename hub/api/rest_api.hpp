// The HTTP routes that are not WebSockets: REST under /api, /healthz, and
// static files for everything else. Independent of the network library so it
// is tested with plain strings.
#pragma once

#include <string>
#include <string_view>

#include "hub/http/http.hpp"

namespace telehub::hub {

struct HubContext;

// `method` as sent ("GET"), `target` the request target with its query.
HttpReply route_http(HubContext& ctx, std::string_view method, std::string_view target);

// DELETE /api/hosts/{id}: forgets an offline host and its history (with
// --cluster, on every hub). HTTP sessions reach it through
// forget_host_audited (control_dispatch), which audits it.
HttpReply forget_host(HubContext& ctx, const std::string& id);

}  // namespace telehub::hub
