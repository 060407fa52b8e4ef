#include "hub/auth/access_tokens.hpp"

#define BOOST_TEST_MODULE access_tokens
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

#include "hub/auth/credential_file.hpp"

using namespace telehub::hub;
namespace fs = std::filesystem;

namespace {

struct TempFile {
    fs::path path = fs::temp_directory_path() / ("telehub-tokens-" + std::to_string(::getpid()) + "-" +
                                                 std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    ~TempFile() { fs::remove(path); }
    void write(const std::string& text) const { std::ofstream(path, std::ios::trunc) << text; }
};

}  // namespace

BOOST_AUTO_TEST_CASE(credentials_are_found_bound_and_revoked_by_reload) {
    TempFile f;
    f.write(format_credential("web1", "web1-secret-token", {"web1"}) + format_credential("any", "shared-agent-token", {}));
    AccessTokens t;
    t.add(Role::admin, "admin", "admin-secret-1");
    t.add_credentials_file(Role::agent, f.path.string());
    BOOST_TEST(t.requires_agent_token());

    auto web1 = t.find("web1-secret-token", true);
    BOOST_REQUIRE(web1);
    BOOST_TEST(web1->name == "web1");
    BOOST_TEST(web1->may_speak_for("web1"));
    BOOST_TEST(!web1->may_speak_for("db1"));
    BOOST_TEST(t.find("shared-agent-token", true)->may_speak_for("db1"));
    BOOST_TEST(!t.find("web1-secret-token", false));  // an agent credential opens no REST route
    BOOST_TEST(!t.find("wrong-token-value", true));

    // Revoke web1: after the reload it is gone, the other credential and the fixed admin token stay.
    f.write(format_credential("any", "shared-agent-token", {}));
    t.reload();
    BOOST_TEST(!t.still_valid(*web1));
    BOOST_TEST(!t.find("web1-secret-token", true));
    BOOST_TEST(t.still_valid(*t.find("shared-agent-token", true)));
    BOOST_TEST(t.find("admin-secret-1", false)->name == "admin");

    // A credential re-issued under the same name with a new token is not the old one.
    f.write(format_credential("any", "a-brand-new-token", {}));
    auto old_any = *t.find("shared-agent-token", true);
    t.reload();
    BOOST_TEST(!t.still_valid(old_any));
}

BOOST_AUTO_TEST_CASE(a_broken_file_on_reload_keeps_the_previous_table) {
    TempFile f;
    f.write(format_credential("web1", "web1-secret-token", {"web1"}));
    AccessTokens t;
    t.add_credentials_file(Role::agent, f.path.string());
    f.write("web1 this-is-not-a-digest\n");
    BOOST_CHECK_THROW(t.reload(), std::runtime_error);
    BOOST_TEST(t.find("web1-secret-token", true).has_value());
}

BOOST_AUTO_TEST_CASE(only_agent_credentials_take_host_ids) {
    TempFile f;
    f.write(format_credential("ops", "ops-admin-token", {"web1"}));
    AccessTokens t;
    try {
        t.add_credentials_file(Role::admin, f.path.string());
        BOOST_FAIL("an admin credential with host ids was accepted");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()).find("only agent credentials") != std::string::npos);
    }
    BOOST_TEST(!t.has(Role::admin));
}

BOOST_AUTO_TEST_CASE(an_emptied_file_still_requires_a_token) {
    TempFile f;
    f.write(format_credential("alice", "alice-viewer-token", {}));
    AccessTokens t;
    t.add_credentials_file(Role::viewer, f.path.string());
    BOOST_TEST(t.requires_viewer_token());
    BOOST_TEST(!t.requires_agent_token());
    f.write("# everyone revoked\n");
    t.reload();
    BOOST_TEST(!t.has(Role::viewer));
    BOOST_TEST(t.requires_viewer_token());  // not open to all now
    BOOST_TEST(!t.find("alice-viewer-token", false));
}

BOOST_AUTO_TEST_CASE(a_reload_can_rebind_a_credential_to_other_hosts) {
    TempFile f;
    f.write(format_credential("web1", "web1-secret-token", {"web1"}));
    AccessTokens t;
    t.add_credentials_file(Role::agent, f.path.string());
    auto before = *t.find("web1-secret-token", true);
    f.write(format_credential("web1", "web1-secret-token", {"web9"}));
    t.reload();
    auto now = t.current(before);
    BOOST_REQUIRE(now);
    BOOST_TEST(!now->may_speak_for("web1"));
    BOOST_TEST(now->may_speak_for("web9"));
}
