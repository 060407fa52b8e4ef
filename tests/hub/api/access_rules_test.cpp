#include "hub/api/access_rules.hpp"

#define BOOST_TEST_MODULE access_rules
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <fstream>

#include <unistd.h>

using namespace telehub::hub;

namespace {

void fill(AccessTokens& t, bool viewer) {
    t.add(Role::admin, "admin", "admin-secret-1");
    t.add(Role::agent, "agent", "agent-secret-1");
    if (viewer) t.add(Role::viewer, "viewer", "viewer-secret-1");
}

}  // namespace

BOOST_AUTO_TEST_CASE(routes_need_what_the_protocol_says) {
    BOOST_TEST((access_needed("/api/hosts/h/ps") == Need::admin));
    BOOST_TEST((access_needed("/api/hosts/h/users/a/tasks") == Need::admin));
    BOOST_TEST((access_needed("/api/audit") == Need::admin));
    BOOST_TEST((access_needed("/api/hosts") == Need::viewer));
    BOOST_TEST((access_needed("/api/hosts/h/history") == Need::viewer));
    BOOST_TEST((access_needed("/ws/live") == Need::viewer));
    BOOST_TEST((access_needed("/metrics") == Need::viewer));
    BOOST_TEST((access_needed("/ws/agent") == Need::nothing));
    BOOST_TEST((access_needed("/") == Need::nothing));
    BOOST_TEST((access_needed("/healthz") == Need::nothing));
}

BOOST_AUTO_TEST_CASE(tokens_decide) {
    AccessTokens t;
    fill(t, true);
    BOOST_TEST(check_access(t, Need::admin, "").refusal->status == 401);
    BOOST_TEST(check_access(t, Need::admin, "wrong-token").refusal->status == 401);
    BOOST_TEST(check_access(t, Need::admin, "admin-secret").refusal->status == 401);  // a prefix is not the token
    auto viewer_refused = check_access(t, Need::admin, "viewer-secret-1");
    BOOST_TEST(viewer_refused.refusal->status == 403);
    BOOST_REQUIRE(viewer_refused.who);  // the log names whose token was refused
    BOOST_TEST((viewer_refused.who->role == Role::viewer));
    BOOST_TEST(check_access(t, Need::admin, "agent-secret-1").refusal->status == 401);  // agent tokens only open /ws/agent
    auto a = check_access(t, Need::admin, "admin-secret-1");
    BOOST_REQUIRE(a.who);
    BOOST_TEST(a.who->name == "admin");
    BOOST_TEST(!check_access(t, Need::viewer, "viewer-secret-1").refusal);
    BOOST_TEST(!check_access(t, Need::viewer, "admin-secret-1").refusal);
    BOOST_TEST(check_access(t, Need::viewer, "").refusal->status == 401);
    auto r = check_access(t, Need::viewer, "nope-nope");
    BOOST_TEST(r.refusal->headers.at(0).first == "WWW-Authenticate");
    // The refusal never echoes the token.
    BOOST_TEST(r.refusal->body.find("nope-nope") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(reading_is_open_without_viewer_tokens) {
    AccessTokens t;
    fill(t, false);
    BOOST_TEST(!check_access(t, Need::viewer, "").refusal);
    BOOST_TEST(check_access(t, Need::admin, "").refusal->status == 401);
    BOOST_TEST(t.find("agent-secret-1", true).has_value());
    BOOST_TEST(!t.find("agent-secret-1", false).has_value());
    BOOST_TEST(!t.find("admin-secret-1", true).has_value());
}

BOOST_AUTO_TEST_CASE(token_files_name_their_tokens) {
    auto path = std::string("/tmp/telehub-tokens-") + std::to_string(::getpid());
    {
        std::ofstream f(path);
        f << "# ops team\nalice  alice-token-123\n\nbob-token-4567\n";
    }
    AccessTokens t;
    t.add_file(Role::admin, path);
    BOOST_TEST(t.find("alice-token-123", false)->name == "alice");
    BOOST_TEST(t.find("bob-token-4567", false)->name == "admin-4");
    std::remove(path.c_str());
    BOOST_CHECK_THROW(t.add_file(Role::admin, path), std::runtime_error);
    BOOST_CHECK_THROW(t.add(Role::admin, "short", "abc"), std::runtime_error);
    BOOST_TEST(AccessTokens::random_token().size() == 64u);
    BOOST_TEST(AccessTokens::random_token() != AccessTokens::random_token());
}

BOOST_AUTO_TEST_CASE(bearer_and_origin) {
    BOOST_TEST(bearer_token("Bearer abc") == "abc");
    BOOST_TEST(bearer_token("bearer  abc ") == "abc");
    BOOST_TEST(bearer_token("Basic abc").empty());
    BOOST_TEST(bearer_token("").empty());
    BOOST_TEST(origin_allowed("", "127.0.0.1:8080"));
    BOOST_TEST(origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080"));
    BOOST_TEST(origin_allowed("https://hub.example:443", "hub.example:443"));
    BOOST_TEST(!origin_allowed("http://evil.example", "127.0.0.1:8080"));
    BOOST_TEST(!origin_allowed("http://127.0.0.1:8080.evil", "127.0.0.1:8080"));
    BOOST_TEST(!origin_allowed("null", "127.0.0.1:8080"));
    BOOST_TEST(!origin_allowed("http://x", ""));
    BOOST_TEST(changes_state("DELETE"));
    BOOST_TEST(!changes_state("GET"));
}
