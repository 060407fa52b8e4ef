#include "telehub/config_file.hpp"

#define BOOST_TEST_MODULE config_file
#include <boost/test/unit_test.hpp>

#include <boost/program_options.hpp>
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
