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

namespace {
std::string error_adding(Role role, const TempFile& f, bool credentials) {
    AccessTokens t;
    try {
        credentials ? t.add_credentials_file(role, f.path.string()) : t.add_file(role, f.path.string());
    } catch (const std::runtime_error& e) {
        BOOST_TEST(!t.has(role));
        return e.what();
    }
    return {};
}
}  // namespace

// One letter separates --agent-token-file from --agent-tokens-file: a credentials
// file read as plain tokens would make its public digests tokens for any host.
BOOST_AUTO_TEST_CASE(a_credentials_file_given_as_a_token_file_is_refused) {
    TempFile f;
    f.write(role_line("agent") + format_credential("web1", "web1-secret-token", {"web1"}));
    for (Role role : {Role::agent, Role::admin}) {
        const auto err = error_adding(role, f, false);
        BOOST_TEST(err.find(":2: this is a credentials file") != std::string::npos, err);
        BOOST_TEST(err.find(role == Role::agent ? "--agent-tokens-file" : "--admin-tokens-file") != std::string::npos, err);
    }
    // A plain token file still loads.
    f.write("web1 a-plain-token-of-web1\n");
    AccessTokens t;
    t.add_file(Role::agent, f.path.string());
    BOOST_TEST(t.find("a-plain-token-of-web1", true).has_value());
}

BOOST_AUTO_TEST_CASE(a_file_naming_another_role_is_refused) {
    TempFile f;
    f.write(role_line("viewer") + format_credential("eve", "eve-viewer-token", {}));
    const auto err = error_adding(Role::agent, f, true);
    BOOST_TEST(err.find("holds viewer credentials (its first line says so), but was given as --agent-tokens-file: give it "
                        "with --viewer-tokens-file") != std::string::npos, err);
    AccessTokens t;
    t.add_credentials_file(Role::viewer, f.path.string());
    BOOST_TEST(t.find("eve-viewer-token", false).has_value());
    // On reload too: a file rewritten for another role keeps the previous table.
    f.write(role_line("admin") + format_credential("eve", "eve-viewer-token", {}));
    BOOST_CHECK_THROW(t.reload(), std::runtime_error);
    BOOST_TEST(t.find("eve-viewer-token", false).has_value());
}

BOOST_AUTO_TEST_CASE(a_file_others_may_write_is_refused) {
    TempFile f;
    f.write(format_credential("web1", "web1-secret-token", {"web1"}));
    fs::permissions(f.path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_write);
    auto err = error_adding(Role::agent, f, true);
    BOOST_TEST(err.find("can be written by any user (mode 0602)") != std::string::npos, err);
    f.write("web1 a-plain-token-of-web1\n");
    err = error_adding(Role::agent, f, false);
    BOOST_TEST(err.find("can be written by any user") != std::string::npos, err);
    // Group-writable too: every member of the group could add a credential.
    fs::permissions(f.path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_write);
    err = error_adding(Role::agent, f, false);
    BOOST_TEST(err.find("can be written by the group ") != std::string::npos, err);
    BOOST_TEST(err.find("(mode 0620), who could add a credential: chmod go-w it") != std::string::npos, err);
    fs::permissions(f.path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    AccessTokens t;
    t.add_file(Role::agent, f.path.string());
    BOOST_TEST(t.has(Role::agent));
}

BOOST_AUTO_TEST_CASE(an_unreadable_file_says_why) {
    const auto err = error_adding(Role::agent, TempFile{}, true);
    BOOST_TEST(err.find("No such file or directory") != std::string::npos, err);
}
