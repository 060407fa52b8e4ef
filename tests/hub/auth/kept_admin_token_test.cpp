#include "hub/auth/kept_admin_token.hpp"

#define BOOST_TEST_MODULE kept_admin_token
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "tests/support/temp_dir.hpp"

using namespace telehub::hub;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(made_once_then_read_back) {
    telehub::test::TempDir dir("telehub-kept-admin");
    const auto folder = dir.path / "state";  // made on the way, as a first start makes the data folder
    auto first = kept_admin_token(folder.string());
    BOOST_TEST(first.problem.empty());
    BOOST_TEST(first.file == (folder / "admin.token").string());
    BOOST_TEST(first.token.size() == 64u);
    BOOST_TEST(((fs::status(first.file).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write)));
    auto again = kept_admin_token(folder.string());
    BOOST_TEST(again.token == first.token);
}

BOOST_AUTO_TEST_CASE(a_folder_that_cannot_be_made_gives_a_token_for_this_run) {
    auto made = kept_admin_token("/dev/null/telehub");
    BOOST_TEST(made.token.size() == 64u);
    BOOST_TEST(made.file.empty());
    BOOST_TEST(made.problem.find("cannot keep it in /dev/null/telehub/admin.token") == 0u, made.problem);
}

BOOST_AUTO_TEST_CASE(a_file_without_a_token_is_refused) {
    telehub::test::TempDir dir("telehub-kept-admin");
    const auto file = dir.path / "admin.token";
    std::ofstream(file) << "short\n";
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
    try {
        kept_admin_token(dir.str());
        BOOST_FAIL("a file holding no token was accepted");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()).find("holds no admin token: delete it and restart") != std::string::npos, e.what());
    }
}
