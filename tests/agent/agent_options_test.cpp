#include "agent/agent_options.hpp"

#define BOOST_TEST_MODULE agent_options
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "telehub/config_file.hpp"
#include "tests/support/temp_files.hpp"

using namespace telehub::agent;

namespace {

ParsedOptions parse(std::vector<const char*> args) {
    args.insert(args.begin(), "telehub-agent");
    return parse_agent_options(static_cast<int>(args.size()), args.data());
}

std::string usage_error(std::vector<const char*> args) {
    try {
        parse(std::move(args));
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(defaults_stream_every_second) {
    auto p = parse({});
    BOOST_TEST((p.options.mode == AgentMode::stream));
    BOOST_TEST(p.options.interval_s == 1.0);
    BOOST_TEST(p.options.top_n == 10u);
    BOOST_TEST(p.options.buffer == 300u);
    BOOST_TEST(p.options.netlink);
}

BOOST_AUTO_TEST_CASE(modes_and_their_flags) {
    BOOST_TEST((parse({"--once", "--format", "json"}).options.mode == AgentMode::once));
    BOOST_TEST(parse({"--once"}).options.format == "json");  // the issue: --once prints JSON
    BOOST_TEST(parse({"--once", "--format", "text"}).options.format == "text");
    BOOST_TEST(parse({}).options.format == "text");
    auto top = parse({"top", "-n", "5", "--csv"});
    BOOST_TEST((top.options.mode == AgentMode::top));
    BOOST_TEST(top.options.top_n == 5u);
    BOOST_TEST(top.options.csv);
    BOOST_TEST((parse({"sockets"}).options.mode == AgentMode::sockets));
    BOOST_TEST(parse({"--hub", "ws://127.0.0.1:1/ws/agent"}).options.hub_url == "ws://127.0.0.1:1/ws/agent");
    BOOST_TEST(!parse({"--no-netlink"}).options.netlink);
    BOOST_TEST(parse({"--help"}).help);
}

BOOST_AUTO_TEST_CASE(bad_flags_and_values_name_what_is_wrong) {
    BOOST_TEST(usage_error({"--bogus"}).find("bogus") != std::string::npos);
    BOOST_TEST(usage_error({"--interval", "0"}).find("--interval") != std::string::npos);
    BOOST_TEST(usage_error({"--interval", "fast"}).find("interval") != std::string::npos);
    BOOST_TEST(usage_error({"--top", "0"}).find("--top") != std::string::npos);
    BOOST_TEST(usage_error({"top", "-n", "0"}).find("-n:") != std::string::npos);
    BOOST_TEST(usage_error({"--format", "xml"}).find("xml") != std::string::npos);
    BOOST_TEST(usage_error({"frobnicate"}).find("frobnicate") != std::string::npos);
    BOOST_TEST(usage_error({"--csv"}).find("--csv") != std::string::npos);
    BOOST_TEST(usage_error({"sockets", "--once"}).find("--once") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(control_defaults_allow_everything_but_exec) {
    auto o = parse({"--hub", "ws://127.0.0.1:1/ws/agent"}).options;
    BOOST_TEST(o.control);
    BOOST_TEST(!o.allow_exec);
    BOOST_TEST(o.exec_allow.empty());
    BOOST_TEST(o.token.empty());
}

BOOST_AUTO_TEST_CASE(exec_flags) {
    auto o = parse({"--hub", "ws://127.0.0.1:1/ws/agent", "--allow-exec", "--exec-allow", "echo,uptime"}).options;
    BOOST_TEST(o.allow_exec);
    BOOST_TEST((o.exec_allow == std::vector<std::string>{"echo", "uptime"}));
    BOOST_TEST(usage_error({"--hub", "ws://127.0.0.1:1/ws/agent", "--exec-allow", "echo"}) == "--exec-allow needs --allow-exec");
    BOOST_TEST(usage_error({"--hub", "ws://127.0.0.1:1/ws/agent", "--allow-exec", "--exec-allow", "echo,,ls"}).find("empty program name") !=
               std::string::npos);
    BOOST_TEST(usage_error({"--hub", "ws://127.0.0.1:1/ws/agent", "--allow-exec", "--no-control"}).find("contradict") !=
               std::string::npos);
    BOOST_TEST(!parse({"--hub", "ws://127.0.0.1:1/ws/agent", "--no-control"}).options.control);
    BOOST_TEST(usage_error({"--allow-exec"}) == "--allow-exec applies only with --hub");
}

BOOST_AUTO_TEST_CASE(token_from_flag_or_file) {
    BOOST_TEST(parse({"--hub", "ws://127.0.0.1:1/ws/agent", "--token", "s3cret"}).options.token == "s3cret");
    BOOST_TEST(usage_error({"--hub", "ws://127.0.0.1:1/ws/agent", "--token", ""}) == "--token: the token is empty");
    BOOST_TEST(usage_error({"--token", "x"}) == "--token applies only with --hub");

    const std::string path = "/tmp/telehub-token-test-" + std::to_string(::getpid());
    {
        std::ofstream(path) << "\n  \r\n  tok-en-1 \r\nsecond\n";
    }
    BOOST_TEST(parse({"--hub", "ws://127.0.0.1:1/ws/agent", "--token-file", path.c_str()}).options.token == "tok-en-1");
    BOOST_TEST(usage_error({"--hub", "ws://127.0.0.1:1/ws/agent", "--token-file", path.c_str(), "--token", "x"}) ==
               "give --token or --token-file, not both");
    {
        std::ofstream(path) << "\n \n";
    }
    BOOST_TEST(usage_error({"--hub", "ws://127.0.0.1:1/ws/agent", "--token-file", path.c_str()}).find("holds no token") !=
               std::string::npos);
    std::remove(path.c_str());
    BOOST_TEST(usage_error({"--hub", "ws://127.0.0.1:1/ws/agent", "--token-file", path.c_str()}) ==
               "--token-file: cannot read '" + path + "'");
}

BOOST_AUTO_TEST_CASE(whom_the_agent_trusts) {
    const std::string fp(64, 'a');
    auto pinned = parse({"--hub", "wss://hub.example:8443", "--hub-fingerprint", ("SHA256:" + fp).c_str()}).options;
    BOOST_TEST(pinned.hub_fingerprint == "sha256:" + fp);
    // OpenSSL's colon form, as `openssl x509 -fingerprint -sha256` prints it.
    std::string colons;
    for (int i = 0; i < 32; ++i) colons += (i ? ":" : "") + std::string("AB");
    std::string ab;
    for (int i = 0; i < 32; ++i) ab += "ab";
    BOOST_TEST(parse({"--hub", "wss://h:1", "--hub-fingerprint", colons.c_str()}).options.hub_fingerprint ==
               "sha256:" + ab);
    BOOST_TEST(usage_error({"--hub", "wss://h:1", "--hub-fingerprint", "sha256:abc"}).find("64 hex digits") !=
               std::string::npos);
    BOOST_TEST(usage_error({"--hub", "ws://127.0.0.1:1", "--hub-fingerprint", ("sha256:" + fp).c_str()}) ==
               "--hub-fingerprint needs a wss:// hub URL");
    BOOST_TEST(usage_error({"--hub", "wss://h:1", "--ca-file", "/nonexistent/ca.pem"}).find("cannot read") !=
               std::string::npos);
    // Clear text across a network only when asked for by name.
    BOOST_TEST(usage_error({"--hub", "ws://hub.example:8080"}).find("--insecure") != std::string::npos);
    BOOST_TEST(parse({"--hub", "ws://hub.example:8080", "--insecure"}).options.insecure);
    BOOST_TEST(parse({"--hub", "ws://localhost:8080"}).options.hub_url == "ws://localhost:8080");
    BOOST_TEST(parse({"--hub", "ws://[::1]:8080"}).options.hub_url == "ws://[::1]:8080");
    BOOST_TEST(usage_error({"--insecure"}) == "--insecure applies only with --hub");
}

// --- the config file (issue 18) ---

namespace {

using TomlFile = telehub::test::TempFile;

std::string any_error(std::vector<const char*> args) {
    try {
        parse(std::move(args));
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_agent_flag_has_a_key) {
    auto keys = agent_config_keys();
    BOOST_TEST(keys.size() >= 20u);
    for (const auto& key : keys) {
        TomlFile f(key + " = \"x\"\n");
        BOOST_TEST(any_error({"--config", f.path.c_str()}).find("unknown key") == std::string::npos, key);
    }
}

BOOST_AUTO_TEST_CASE(agent_flags_are_settable_from_the_file) {
    const std::vector<std::pair<std::vector<const char*>, std::string>> pairs = {
        {{"--hub", "ws://127.0.0.1:9/ws/agent", "--token", "agent-token-1", "--interval", "0.5", "--top", "7",
          "--top-sockets", "4", "--host-id", "h1", "--buffer", "50", "--leak-window", "30", "--leak-min", "5",
          "--close-wait-max", "20", "--no-netlink", "--allow-exec", "--exec-allow", "echo,uptime", "--proc-root", "/tmp"},
         "hub = \"ws://127.0.0.1:9/ws/agent\"\ntoken = \"agent-token-1\"\ninterval = 0.5\ntop = 7\ntop_sockets = 4\n"
         "host_id = \"h1\"\nbuffer = 50\nleak_window = 30\nleak_min = 5\nclose_wait_max = 20\nno_netlink = true\n"
         "allow_exec = true\nexec_allow = \"echo,uptime\"\nproc_root = \"/tmp\"\n"},
        {{"--hub", "ws://127.0.0.1:9/ws/agent", "--no-control"}, "hub = \"ws://127.0.0.1:9/ws/agent\"\nno_control = true\n"},
    };
    for (const auto& [flags, toml] : pairs) {
        TomlFile f(toml);
        auto from_cli = parse(flags).options;
        auto from_file = parse({"--config", f.path.c_str()}).options;
        BOOST_TEST((from_cli == from_file), toml);
    }
}

// once, count, format, csv, pid and name shape one printing run; in agent.toml
// `once` or `count` would make the service exit after a sample and restart for ever.
BOOST_AUTO_TEST_CASE(run_flags_stay_on_the_command_line) {
    const auto keys = agent_config_keys();
    for (const char* key : {"once", "count", "format", "csv", "pid", "name"}) {
        BOOST_TEST(std::ranges::count(keys, std::string(key)) == 0, key);
        TomlFile f(std::string(key) + (std::string(key) == "once" || std::string(key) == "csv" ? " = true\n" : " = 1\n"));
        auto e = any_error({"--config", f.path.c_str()});
        BOOST_TEST(e.find(f.path + ":1:") == 0u, e);
        BOOST_TEST(e.find("is for one run on the command line (--" + std::string(key) + ")") != std::string::npos, e);
    }
    BOOST_TEST((parse({"--once", "--format", "text"}).options.mode == AgentMode::once));
    auto help = parse({"--help"}).help_text;
    BOOST_TEST(help.find("For one run on the command line") < help.find("--once"), help);
}

// Each line of the template, uncommented alone, is a value of the right
// shape: whatever is refused is refused for its meaning, with its reason.
BOOST_AUTO_TEST_CASE(every_template_line_parses_uncommented) {
    std::istringstream lines(parse({"--config-template"}).config_template);
    std::size_t settings = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.size() < 2 || line[0] != '#' || !std::islower(static_cast<unsigned char>(line[1]))) continue;
        ++settings;
        TomlFile f(line.substr(1) + "\n");
        auto e = any_error({"--config", f.path.c_str()});
        for (const char* shape : {"syntax error", "invalid value", "expected a string", "expected true or false",
                                  "takes one value", "unknown key", "is for one run"})
            BOOST_TEST(e.find(shape) == std::string::npos, line << ": " << e);
    }
    BOOST_TEST(settings == agent_config_keys().size());
    // A key without a default shows a usable example: the host id may not be empty.
    TomlFile host("host_id = \"web1\"  # an example, not a default\n");
    BOOST_TEST(parse({"--config", host.path.c_str()}).options.host_id == "web1");
}

// Settings that contradict each other, set in agent.toml, are named by line.
BOOST_AUTO_TEST_CASE(contradicting_keys_name_the_file_line) {
    const std::string fp = "sha256:" + std::string(64, 'a');
    TomlFile ca("ca-placeholder\n");
    TomlFile both("hub = \"wss://hub.example:8443/ws/agent\"\nca_file = \"" + ca.path + "\"\nhub_fingerprint = \"" + fp + "\"\n");
    auto e = any_error({"--config", both.path.c_str()});
    BOOST_TEST(e == both.path + ":3:19: hub_fingerprint: give ca_file or hub_fingerprint, not both", e);
    TomlFile plain("hub = \"ws://127.0.0.1:1/ws/agent\"\nhub_fingerprint = \"" + fp + "\"\n");
    e = any_error({"--config", plain.path.c_str()});
    BOOST_TEST(e == plain.path + ":2:19: hub_fingerprint: needs a wss:// hub URL", e);
    TomlFile tokens("hub = \"ws://127.0.0.1:1/ws/agent\"\ntoken = \"a-token-123\"\ntoken_file = \"" + ca.path + "\"\n");
    e = any_error({"--config", tokens.path.c_str()});
    BOOST_TEST(e == tokens.path + ":2:9: token: give token or token_file, not both", e);
}

BOOST_AUTO_TEST_CASE(agent_file_errors_name_file_line_and_key) {
    TomlFile f("hub = \"ws://127.0.0.1:9/ws/agent\"\ninterval = 0.001\n");
    auto e = any_error({"--config", f.path.c_str()});
    BOOST_TEST(e.find(f.path + ":2:") == 0u, e);
    BOOST_TEST(e.find("interval") != std::string::npos);
    BOOST_TEST(parse({"--config", f.path.c_str(), "--interval", "2"}).options.interval_s == 2.0);  // the command line wins
    TomlFile unknown("intervall = 2\n");
    e = any_error({"--config", unknown.path.c_str()});
    BOOST_TEST(e.find("did you mean 'interval'") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(agent_version_and_template) {
    BOOST_TEST(parse({"--version"}).version);
    BOOST_TEST(agent_version_line().rfind("telehub-agent ", 0) == 0u);
    auto t = parse({"--config-template"}).config_template;
    for (const auto& key : agent_config_keys()) BOOST_TEST(t.find("\n#" + key + " = ") != std::string::npos, key);
}

// --- values that slipped past the ranges ---

BOOST_AUTO_TEST_CASE(not_a_number_is_refused_for_every_seconds_flag) {
    for (const char* flag : {"--interval", "--leak-window", "--close-wait-max"}) {
        for (const char* value : {"nan", "-nan", "inf", "-inf"}) {
            auto e = usage_error({"--hub", "ws://127.0.0.1:1/ws/agent", flag, value});
            BOOST_TEST(e.rfind(std::string(flag) + ": ", 0) == 0u, flag << " " << value << ": " << e);
        }
    }
    BOOST_TEST(usage_error({"--check-config", "--interval", "nan"}) == "--interval: nan is not a number (expected 0.05..3600)");
    TomlFile f("interval = nan\n");
    auto e = any_error({"--config", f.path.c_str()});
    BOOST_TEST(e == f.path + ":1:12: interval: nan is not a number (expected 0.05..3600)");
}

BOOST_AUTO_TEST_CASE(negative_counts_are_refused_not_wrapped) {
    BOOST_TEST(usage_error({"--top", "-1"}) == "--top: -1 is out of range (1..10000)");
    BOOST_TEST(usage_error({"top", "-n", "-5"}) == "-n: -5 is out of range (1..10000)");
    BOOST_TEST(usage_error({"--top-sockets", "-1"}) == "--top-sockets: -1 is out of range (0..10000)");
    BOOST_TEST(usage_error({"--top-containers", "-1"}) == "--top-containers: -1 is out of range (0..10000)");
    BOOST_TEST(usage_error({"--buffer", "-1"}) == "--buffer: -1 is out of range (1..1000000)");
    BOOST_TEST(usage_error({"--leak-min", "-1"}) == "--leak-min: -1 is out of range (1..1000000)");
    BOOST_TEST(usage_error({"--check-config", "--count", "-1"}) == "--count: -1 must not be negative (0: run until stopped)");
    BOOST_TEST(parse({"--count", "3"}).options.count == 3u);
    BOOST_TEST(parse({"--top-sockets", "0"}).options.top_sockets == 0u);
    for (const char* key : {"top", "top_sockets", "top_containers", "buffer", "leak_min"}) {
        TomlFile f(std::string(key) + " = -1\n");
        auto e = any_error({"--config", f.path.c_str()});
        BOOST_TEST(e.rfind(f.path + ":1:", 0) == 0u, e);
        BOOST_TEST(e.find(std::string(key) + ": -1 ") != std::string::npos, e);
    }
}

BOOST_AUTO_TEST_CASE(an_empty_host_id_is_refused) {
    BOOST_TEST(usage_error({"--host-id", ""}).rfind("--host-id: the host id is empty", 0) == 0u);
    BOOST_TEST(usage_error({"--host-id", "  "}).rfind("--host-id: the host id is empty", 0) == 0u, "blanks only");
    BOOST_TEST(parse({"--host-id", "web-1"}).options.host_id == "web-1");
    TomlFile f("host_id = \"\"\n");
    auto e = any_error({"--config", f.path.c_str()});
    BOOST_TEST(e.rfind(f.path + ":1:11: host_id: the host id is empty", 0) == 0u, e);
}
