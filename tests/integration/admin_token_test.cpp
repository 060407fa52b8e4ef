// A hub with no admin token configured (the packaged service's default):
// the token it makes is kept in DATA-DIR/admin.token, 0600, so that it
// outlives a restart; its output, a pipe here as a service's journal is,
// names the file and never holds the token; the token opens control. Real
// hubs on loopback; the data folder and the hubs are removed/stopped here.
#define BOOST_TEST_MODULE admin_token
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/stat.h>

#include "tests/integration/hub_harness.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

using namespace telehub::test;
namespace fs = std::filesystem;

namespace {

int audit_status(std::uint16_t port, const std::string& token) {
    HttpOptions o;
    o.headers.emplace_back("Authorization", "Bearer " + token);
    return http_request(port, "GET", "/api/audit", o).status;
}

std::string first_line(const fs::path& p) {
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_generated_admin_token_is_kept_and_never_logged) {
    TempDir data("telehub-admin-token");
    const auto kept = data.path / "admin.token";
    std::string token;
    for (int run = 0; run < 2; ++run) {
        const auto port = free_port();
        ChildProcess hub({hub_binary, "--listen", "127.0.0.1:" + std::to_string(port), "--data-dir", data.str()});
        BOOST_REQUIRE_MESSAGE(wait_until([&] { return http_get(port, "/healthz").status == 200; }, 10s), hub.output());
        BOOST_REQUIRE(wait_until([&] { return hub.output().find("opens process control") != std::string::npos; }, 5s));
        BOOST_REQUIRE(fs::exists(kept));
        struct stat st{};
        BOOST_REQUIRE(::stat(kept.c_str(), &st) == 0);
        BOOST_TEST((st.st_mode & 0777) == 0600u);
        if (run == 0) token = first_line(kept);
        BOOST_TEST(first_line(kept) == token, "the restart made a new token");
        BOOST_TEST(token.size() == 64u);
        const auto out = hub.output();
        BOOST_TEST(out.find("the one kept in " + kept.string() + " opens process control") != std::string::npos, out);
        BOOST_TEST(out.find(token) == std::string::npos, "the token reached the hub's output: " << out);
        BOOST_TEST(audit_status(port, token) == 200);
        BOOST_TEST(audit_status(port, std::string(64, 'f')) == 401);
        BOOST_TEST(hub.stop(SIGTERM).has_value());
    }

    // A kept token others may read is refused at start and by --check-config, naming the fix.
    fs::permissions(kept, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
    const auto port = free_port();
    ChildProcess refused({hub_binary, "--listen", "127.0.0.1:" + std::to_string(port), "--data-dir", data.str()});
    auto status = refused.wait(10s);
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(WEXITSTATUS(*status) == 2);
    BOOST_TEST(refused.output().find("can be used by other users (mode 0604): chmod 600 it") != std::string::npos,
               refused.output());
    ChildProcess check({hub_binary, "--data-dir", data.str(), "--check-config"});
    status = check.wait(10s);
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(WEXITSTATUS(*status) == 2, check.output());
    BOOST_TEST(check.output().find("chmod 600") != std::string::npos, check.output());
}

BOOST_AUTO_TEST_CASE(a_configured_admin_token_makes_no_file) {
    TempDir data("telehub-admin-token");
    const auto port = free_port();
    ChildProcess hub({hub_binary, "--listen", "127.0.0.1:" + std::to_string(port), "--data-dir", data.str(),
                      "--admin-token", "a-configured-admin-token"});
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return http_get(port, "/healthz").status == 200; }, 10s), hub.output());
    BOOST_TEST(audit_status(port, "a-configured-admin-token") == 200);
    BOOST_TEST(!fs::exists(data.path / "admin.token"));
    BOOST_TEST(hub.output().find("no admin token configured") == std::string::npos, hub.output());
}
