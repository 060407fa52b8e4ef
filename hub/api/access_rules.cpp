#include "hub/api/access_rules.hpp"

#include "hub/control/control.hpp"

namespace telehub::hub {

Need access_needed(std::string_view path) {
    // The rules (GET too): who is watched for what is the operators' business.
    if (path == "/api/audit" || path == "/api/rules" || is_control_path(path)) return Need::admin;
    if (path == "/ws/live" || path == "/metrics" || path == "/api" || path.substr(0, 5) == "/api/") return Need::viewer;
    return Need::nothing;  // static files, /healthz, /ws/agent
}

Need access_needed(std::string_view method, std::string_view path) {
    // Forgetting a host (DELETE /api/hosts/{id}) changes what every viewer sees.
    if (changes_state(method) && path.substr(0, 11) == "/api/hosts/") return Need::admin;
    // Making or ending a silence decides who hears of an alert.
    if (changes_state(method) && path.substr(0, 13) == "/api/silences") return Need::admin;
    return access_needed(path);
}

bool origin_allowed(std::string_view origin, std::string_view host) {
    if (origin.empty()) return true;
    for (std::string_view scheme : {"http://", "https://"})
        if (origin.size() == scheme.size() + host.size() && origin.substr(0, scheme.size()) == scheme &&
            origin.substr(scheme.size()) == host && !host.empty())
            return true;
    return false;
}

bool changes_state(std::string_view method) {
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

AccessDecision check_access(const AccessTokens& tokens, Need need, std::string_view token) {
    AccessDecision d;
    if (need == Need::nothing || (need == Need::viewer && !tokens.requires_viewer_token())) {
        // A token is still looked up, so the audit log can name who it was.
        if (auto who = tokens.find(token, false)) d.who = who;
        else d.who = Principal{"-", Role::viewer};
        return d;
    }
    auto unauthorized = [&](std::string message) {
        auto r = error_reply(401, "unauthorized", message);
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        d.refusal = std::move(r);
        return d;
    };
    const char* which = need == Need::admin ? "an admin token" : "a viewer or admin token";
    if (token.empty())
        return unauthorized(std::string("this needs ") + which + ": send Authorization: Bearer <token>");
    auto who = tokens.find(token, false);
    if (!who) return unauthorized(std::string("the token given is not valid here; this needs ") + which);
    if (need == Need::admin && who->role != Role::admin) {
        d.refusal = error_reply(403, "forbidden", "the " + who->name + " token may read but not control; this needs an admin token");
        d.who = std::move(who);
        return d;
    }
    d.who = std::move(who);
    return d;
}

}  // namespace telehub::hub
