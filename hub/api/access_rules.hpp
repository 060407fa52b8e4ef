// Which routes need which token, and the same-origin rule for browsers
// (docs/protocol.md, "Access"). Pure functions, unit-tested with strings.
#pragma once

#include <optional>
#include <string_view>

#include "hub/auth/auth.hpp"
#include "hub/api/rest_api.hpp"

namespace telehub::hub {

enum class Need { nothing, viewer, admin };

// `path` without the query. /ws/agent needs nothing here: agents present
// their token in the hello.
Need access_needed(std::string_view path);
// With the method: a state-changing request on a host (DELETE) needs admin.
Need access_needed(std::string_view method, std::string_view path);

// True when the request may go on: no Origin (not a browser), or the Origin
// is this hub's own, http:// or https:// followed by the Host header.
bool origin_allowed(std::string_view origin, std::string_view host);

// POST, PUT, PATCH, DELETE.
bool changes_state(std::string_view method);

struct AccessDecision {
    std::optional<Principal> who;     // set when allowed (name "-" when no token was needed), and with a 403: whose token it was
    std::optional<HttpReply> refusal; // 401 or 403 otherwise
};

AccessDecision check_access(const AccessTokens& tokens, Need need, std::string_view token);

}  // namespace telehub::hub
