#include "telehub/config_file.hpp"

#define BOOST_TEST_MODULE config_file
#include <boost/test/unit_test.hpp>

#include <boost/program_options.hpp>
#include "tests/support/temp_dir.hpp"
#include "tests/support/temp_files.hpp"

using namespace telehub::config;
namespace po = boost::program_options;

using TomlFile = telehub::test::TempFile;

BOOST_AUTO_TEST_CASE(keys_follow_the_flags) {
    BOOST_TEST(key_for_flag("agent-idle-timeout") == "agent_idle_timeout");
    po::options_description d;
    d.add_options()("help", "")("some-flag", po::value<int>(), "")(",n", po::value<int>(), "")("config", po::value<std::string>(), "");
    BOOST_TEST(config_keys(d) == std::vector<std::string>{"some_flag"});
    BOOST_TEST(nearest_key("some_flga", {"other", "some_flag"}) == "some_flag");
}

// A table another program adds a flag to: the flag is a key at once,
// composing lists arrive item by item, and the command line wins.
BOOST_AUTO_TEST_CASE(a_new_flag_is_a_key_with_no_more_work) {
    int retention = 0;
    std::vector<std::string> names;
    bool on = false;
    po::options_description d;
    d.add_options()("retention-days", po::value(&retention)->default_value(7), "")(
        "name", po::value(&names)->composing(), "")("switch", po::bool_switch(&on), "");
    TomlFile f("retention_days = 30\nname = [\"a\", \"b\"]\nswitch = true\n");
    const char* argv[] = {"prog", "--name", "cli"};
    po::variables_map vm;
    po::store(po::parse_command_line(3, argv, d), vm);
    ConfigFile file(f.path, d, vm);
    po::notify(vm);
    BOOST_TEST(retention == 30);
    BOOST_TEST(names == std::vector<std::string>{"cli"});
    BOOST_TEST(on);
    BOOST_REQUIRE(file.origin("retention-days"));
    BOOST_TEST(file.origin("retention-days")->line == 1u);
    BOOST_TEST(!file.origin("name"));  // from the command line
    try {
        file.rethrow(OptionError("retention-days", "must be 1-365", "--retention-days: must be 1-365"));
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()) == f.path + ":1:18: retention_days: must be 1-365");
    }
}

// Where toml++ 3.3 would reach undefined behaviour (telehub/toml_text_check.hpp),
// the file is refused as a syntax error naming the place; UTF-8 in a string
// still reads.
BOOST_AUTO_TEST_CASE(outside_ascii_between_tokens_is_a_syntax_error_and_in_a_string_is_fine) {
    std::vector<std::string> names;
    po::options_description d;
    d.add_options()("name", po::value(&names)->composing(), "");
    TomlFile bad("name = [\"a\"]\nname \xc3\xa9= 1\n");
    po::variables_map vm;
    try {
        ConfigFile file(bad.path, d, vm);
        BOOST_FAIL("accepted");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()).starts_with(bad.path + ":2:6: "), e.what());
        BOOST_TEST(std::string(e.what()).find("syntax error: a character outside ASCII") != std::string::npos, e.what());
    }
    TomlFile good("\xef\xbb\xbfname = [\"caf\xc3\xa9\"]  # \xc3\xa9t\xc3\xa9\n");  // with a byte order mark
    po::variables_map vm2;
    ConfigFile file(good.path, d, vm2);
    po::notify(vm2);
    BOOST_TEST(names == std::vector<std::string>{"caf\xc3\xa9"});
}

BOOST_AUTO_TEST_CASE(a_directory_is_not_a_config_file) {
    telehub::test::TempDir dir;
    po::options_description d;
    po::variables_map vm;
    try {
        ConfigFile file(dir.str(), d, vm);
        BOOST_FAIL("accepted");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()) == dir.str() + ": is a directory, not a config file");
    }
}
