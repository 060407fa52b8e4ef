#include "hub/hub_config.hpp"

#define BOOST_TEST_MODULE hub_config
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "telehub/config_file.hpp"
#include "tests/support/temp_files.hpp"

using namespace telehub::hub;

namespace {

CliResult parse(std::vector<const char*> args) {
    args.insert(args.begin(), "telehub");
    return parse_hub_config(static_cast<int>(args.size()), args.data());
}

std::string error_of(std::vector<const char*> args) {
    try {
        parse(std::move(args));
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(defaults) {
    auto c = parse({}).config;
    BOOST_TEST(c.listen_address == "127.0.0.1");
    BOOST_TEST(c.listen_port == 8080);
    BOOST_TEST(c.threads == 1u);  // one io thread is the cheapest per sample (docs/benchmarks.md)
    BOOST_TEST(c.max_frame == 1u << 20);
    BOOST_TEST(c.high_cpu == 80.0);
    BOOST_TEST(!c.web_root.empty());
    BOOST_TEST((c.log_format == LogFormat::text));
}

BOOST_AUTO_TEST_CASE(flags_are_read) {
    auto c = parse({"--listen", "0.0.0.0:9000", "--insecure", "--threads", "3", "--high-cpu", "70", "--log-format", "json",
                    "--log-min-cpu", "50", "--log-rate", "25", "--quiet", "--max-frame", "4096", "--web-root", "/tmp"})
                 .config;
    BOOST_TEST(c.listen_address == "0.0.0.0");
    BOOST_TEST(c.listen_port == 9000);
    BOOST_TEST(c.threads == 3u);
    BOOST_TEST(c.high_cpu == 70.0);
    BOOST_TEST((c.log_format == LogFormat::json));
    BOOST_TEST(*c.log_min_cpu == 50.0);
    BOOST_TEST(c.log_rate == 25u);
    BOOST_TEST(c.quiet);
    BOOST_TEST(c.max_frame == 4096u);
    BOOST_TEST(c.web_root == "/tmp");
    BOOST_TEST(parse({"--help"}).help.has_value());
}

BOOST_AUTO_TEST_CASE(errors_name_the_flag) {
    BOOST_TEST(error_of({"--listen", "localhost"}).find("--listen") != std::string::npos);
    BOOST_TEST(error_of({"--listen", "127.0.0.1:99999"}).find("--listen") != std::string::npos);
    BOOST_TEST(error_of({"--listen", "host.example:80"}).find("--listen") != std::string::npos);
    BOOST_TEST(error_of({"--threads", "x"}).find("threads") != std::string::npos);
    BOOST_TEST(error_of({"--io-batch-ms", "-1"}).find("--io-batch-ms") != std::string::npos);
    BOOST_TEST(error_of({"--io-batch-ms", "101"}).find("--io-batch-ms") != std::string::npos);
    BOOST_TEST(error_of({"--io-batch-ms", "nan"}).find("--io-batch-ms") != std::string::npos);
    BOOST_TEST(error_of({"--high-cpu", "101"}).find("--high-cpu") != std::string::npos);
    BOOST_TEST(error_of({"--log-format", "xml"}).find("--log-format") != std::string::npos);
    BOOST_TEST(error_of({"--log-min-cpu", "-1"}).find("--log-min-cpu") != std::string::npos);
    BOOST_TEST(error_of({"--log-rate", "2000000"}).find("--log-rate") != std::string::npos);
    BOOST_TEST(error_of({"--max-frame", "10"}).find("--max-frame") != std::string::npos);
    BOOST_TEST(error_of({"--bogus"}).find("bogus") != std::string::npos);
    BOOST_TEST(error_of({"--metrics-top-processes", "101"}).find("--metrics-top-processes") != std::string::npos);
    BOOST_TEST(error_of({"--threads", "0"}).find("--threads: must be 1-256") != std::string::npos, "0 is not one thread");
    BOOST_TEST(error_of({"--admin-token", "short"}).find("--admin-token: a token is shorter than 8") != std::string::npos);
    // A word that is no flag's value, as when "--" was left out: once dropped without a word.
    BOOST_TEST(error_of({"listen", "127.0.0.1:9999"}).find("unexpected argument 'listen'") != std::string::npos);
    BOOST_TEST(error_of({"--high-cpu", "50", "70"}).find("unexpected argument '70'") != std::string::npos);
    BOOST_TEST(error_of({"--check-config", "stray"}).find("'stray'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(per_process_metrics_are_off_unless_asked_for) {
    BOOST_TEST(parse({}).config.metrics_top_processes == 0u);
    BOOST_TEST(parse({"--metrics-top-processes", "5"}).config.metrics_top_processes == 5u);
}

BOOST_AUTO_TEST_CASE(a_public_address_needs_an_agent_token_or_insecure) {
    auto e = error_of({"--listen", "0.0.0.0:9000"});
    BOOST_TEST(e.find("agent token") != std::string::npos);
    BOOST_TEST(e.find("--insecure") != std::string::npos);
    BOOST_TEST(error_of({"--listen", "[::]:9000"}).find("agent token") != std::string::npos);
    BOOST_TEST(parse({"--listen", "0.0.0.0:9000", "--agent-token", "agent-secret-1"}).config.agent_tokens.size() == 1u);
    BOOST_TEST(parse({"--listen", "0.0.0.0:9000", "--insecure"}).config.insecure);
    BOOST_TEST(error_of({"--listen", "[::1]:9000"}).empty());
}

BOOST_AUTO_TEST_CASE(control_flags_are_read) {
    auto c = parse({"--admin-token", "admin-secret", "--viewer-token", "viewer-secret", "--command-timeout", "0.5",
                    "--audit-log", "/tmp/a.jsonl", "--agent-token-file", "/tmp/agents"})
                 .config;
    BOOST_TEST(c.admin_tokens.at(0) == "admin-secret");
    BOOST_TEST(c.viewer_tokens.at(0) == "viewer-secret");
    BOOST_TEST(c.agent_token_files.at(0) == "/tmp/agents");
    BOOST_TEST(c.command_timeout_ms == 500u);
    BOOST_TEST(c.audit_log == "/tmp/a.jsonl");
    BOOST_TEST(parse({}).config.audit_log.find("telehub/audit.jsonl") != std::string::npos);
    BOOST_TEST(error_of({"--command-timeout", "0"}).find("--command-timeout") != std::string::npos);
}

// --- the config file (issue 18) ---

using TomlFile = telehub::test::TempFile;

// Every flag of the table is a key: for each, a file holding only that key
// is never refused as an unknown key (a wrong value for it is fine here).
BOOST_AUTO_TEST_CASE(every_flag_has_a_key) {
    auto keys = hub_config_keys();
    BOOST_TEST(keys.size() >= 30u);
    for (const auto& key : keys) {
        TomlFile f(key + " = \"x\"\n");
        auto e = error_of({"--config", f.path.c_str()});
        BOOST_TEST(e.find("unknown key") == std::string::npos, key << ": " << e);
    }
    for (const char* command : {"help", "version", "config", "check_config", "config_template"}) {
        BOOST_TEST((std::find(keys.begin(), keys.end(), command) == keys.end()), command);
        TomlFile f(std::string(command) + " = true\n");
        BOOST_TEST(error_of({"--config", f.path.c_str()}).find("unknown key") != std::string::npos, command);
    }
}

// The same settings from flags and from the file give the same config.
BOOST_AUTO_TEST_CASE(every_flag_is_settable_from_the_file) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> pairs = {
        {{"--listen", "[::1]:9001"}, "listen = \"[::1]:9001\""},
        {{"--threads", "3"}, "threads = 3"},
        {{"--io-batch-ms", "2.5"}, "io_batch_ms = 2.5"},
        {{"--web-root", "/tmp"}, "web_root = \"/tmp\""},
        {{"--max-frame", "4096"}, "max_frame = 4096"},
        {{"--high-cpu", "70.5"}, "high_cpu = 70.5"},
        {{"--log-format", "json"}, "log_format = \"json\""},
        {{"--log-min-cpu", "12"}, "log_min_cpu = 12"},
        {{"--log-rate", "25"}, "log_rate = 25"},
        {{"--quiet"}, "quiet = true"},
        {{"--log-file", "/tmp/hub.log"}, "log_file = \"/tmp/hub.log\""},
        {{"--history", "100"}, "history = 100"},
        {{"--live-queue-bytes", "8192"}, "live_queue_bytes = 8192"},
        {{"--agent-idle-timeout", "60"}, "agent_idle_timeout = 60"},
        {{"--live-stall-ms", "250"}, "live_stall_ms = 250"},
        {{"--http-header-timeout", "5"}, "http_header_timeout = 5"},
        {{"--agent-token", "agent-token-1", "--agent-token", "agent-token-2"}, "agent_token = [\"agent-token-1\", \"agent-token-2\"]"},
        {{"--agent-token-file", "/a"}, "agent_token_file = [\"/a\"]"},
        {{"--admin-token", "admin-token-1"}, "admin_token = \"admin-token-1\""},
        {{"--admin-token-file", "/b"}, "admin_token_file = [\"/b\"]"},
        {{"--viewer-token", "viewer-token-1"}, "viewer_token = [\"viewer-token-1\"]"},
        {{"--viewer-token-file", "/c"}, "viewer_token_file = [\"/c\"]"},
        {{"--agent-tokens-file", "/d"}, "agent_tokens_file = [\"/d\"]"},
        {{"--admin-tokens-file", "/e"}, "admin_tokens_file = [\"/e\"]"},
        {{"--viewer-tokens-file", "/f"}, "viewer_tokens_file = [\"/f\"]"},
        {{"--insecure"}, "insecure = true"},
        {{"--command-timeout", "2.5"}, "command_timeout = 2.5"},
        {{"--audit-log", "/tmp/a.jsonl"}, "audit_log = \"/tmp/a.jsonl\""},
        {{"--tls-cert", "/c.pem", "--tls-key", "/k.pem"}, "tls_cert = \"/c.pem\"\ntls_key = \"/k.pem\""},
        {{"--data-dir", "/tmp/d"}, "data_dir = \"/tmp/d\""},
        {{"--plain-from", "127.0.0.1", "--plain-from", "127.0.0.2"}, "plain_from = [\"127.0.0.1\", \"127.0.0.2\"]"},
    };
    std::vector<std::string> flags_seen;
    for (const auto& [flags, toml] : pairs) {
        std::vector<const char*> cli;
        for (const auto& f : flags) {
            cli.push_back(f.c_str());
            if (f.rfind("--", 0) == 0) flags_seen.push_back(telehub::config::key_for_flag(f.substr(2)));
        }
        TomlFile file(toml + "\n");
        auto from_cli = parse(cli).config;
        auto from_file = parse({"--config", file.path.c_str()}).config;
        from_file.config_file.clear();
        BOOST_TEST((from_cli == from_file), toml);
        BOOST_TEST((from_cli == parse({}).config) == false, toml << " changed nothing");
    }
    // self_signed_tls contradicts tls_cert above, so alone:
    TomlFile self_signed("self_signed_tls = true\n");
    BOOST_TEST(parse({"--config", self_signed.path.c_str()}).config.self_signed_tls);
    flags_seen.push_back("self_signed_tls");
    // Every key as of this test; a flag added later is covered by every_flag_has_a_key.
    for (const auto& key : hub_config_keys())
        if (std::find(flags_seen.begin(), flags_seen.end(), key) == flags_seen.end())
            BOOST_TEST_MESSAGE("not in the round trip (add a pair above): " << key);
}

BOOST_AUTO_TEST_CASE(the_command_line_wins) {
    TomlFile f("high_cpu = 90\nagent_token = [\"file-token-1\"]\nlog_rate = 7\n");
    auto c = parse({"--config", f.path.c_str(), "--high-cpu", "60", "--agent-token", "cli-token-11"}).config;
    BOOST_TEST(c.high_cpu == 60.0);
    BOOST_TEST(c.agent_tokens == std::vector<std::string>{"cli-token-11"});  // lists too: not merged
    BOOST_TEST(c.log_rate == 7u);                                           // the file still sets the rest
    BOOST_TEST(c.config_file == f.path);
}

BOOST_AUTO_TEST_CASE(file_errors_name_file_line_and_key) {
    TomlFile unknown("\nhigh_cpu = 70\nlisten_adress = \"127.0.0.1:1\"\n");
    auto e = error_of({"--config", unknown.path.c_str()});
    BOOST_TEST(e.find(unknown.path + ":3:") == 0u, e);
    BOOST_TEST(e.find("listen_adress") != std::string::npos);
    BOOST_TEST(e.find("did you mean 'listen'") != std::string::npos, e);

    TomlFile range("high_cpu = 70\nmax_frame = 10\n");
    e = error_of({"--config", range.path.c_str()});
    BOOST_TEST(e.find(range.path + ":2:") == 0u, e);
    BOOST_TEST(e.find("max_frame") != std::string::npos);
    // The same value from the command line is named as the flag.
    BOOST_TEST(error_of({"--config", range.path.c_str(), "--max-frame", "10"}).find("--max-frame") != std::string::npos);

    TomlFile syntax("high_cpu = 70\nlog_rate = \"5\n");
    e = error_of({"--config", syntax.path.c_str()});
    BOOST_TEST(e.find(syntax.path + ":2:") == 0u, e);
    BOOST_TEST(e.find("log_rate") != std::string::npos, e);

    // A value the start-up would refuse later (a short token) is named at its line too.
    TomlFile token("high_cpu = 70\nadmin_token = \"short\"\n");
    e = error_of({"--config", token.path.c_str()});
    BOOST_TEST(e.find(token.path + ":2:") == 0u, e);
    BOOST_TEST(e.find("shorter than 8") != std::string::npos, e);

    TomlFile section("[hub]\nhigh_cpu = 70\n");
    BOOST_TEST(error_of({"--config", section.path.c_str()}).find("sections are not used") != std::string::npos);
    TomlFile switch_value("quiet = \"yes\"\n");
    BOOST_TEST(error_of({"--config", switch_value.path.c_str()}).find("true or false") != std::string::npos);
    BOOST_TEST(error_of({"--config", "/nonexistent/hub.toml"}).find("cannot read") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_template_lists_every_key_and_parses) {
    auto r = parse({"--config-template"});
    BOOST_REQUIRE(r.config_template.has_value());
    for (const auto& key : hub_config_keys())
        BOOST_TEST(r.config_template->find("\n#" + key + " = ") != std::string::npos, key);
    TomlFile f(*r.config_template);  // all commented out: the defaults
    auto c = parse({"--config", f.path.c_str()}).config;
    c.config_file.clear();
    BOOST_TEST((c == parse({}).config));
}

// Each line of the template, uncommented alone, is a setting the hub takes
// (a key without a default shows an example value, not `key = `).
BOOST_AUTO_TEST_CASE(every_template_line_is_a_setting_once_uncommented) {
    std::istringstream lines(*parse({"--config-template"}).config_template);
    std::size_t settings = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.size() < 2 || line[0] != '#' || !std::islower(static_cast<unsigned char>(line[1]))) continue;
        ++settings;
        TomlFile f(line.substr(1) + "\n");
        BOOST_TEST(error_of({"--config", f.path.c_str()}).empty(), line << ": " << error_of({"--config", f.path.c_str()}));
    }
    BOOST_TEST(settings == hub_config_keys().size());
    BOOST_TEST(parse({"--config-template"}).config_template->find("\n#max_hosts = 100000  # an example, not a default\n") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(history_store_flags) {
    auto d = parse({}).config;
    BOOST_TEST(d.persist);
    BOOST_TEST(d.retention_ms == 30LL * 86'400'000);
    BOOST_TEST(d.forget_after_ms == 7LL * 86'400'000);
    BOOST_TEST(d.max_hosts == default_max_hosts());
    BOOST_TEST(d.max_hosts >= 1000u);
    auto c = parse({"--no-persist", "--retention", "90", "--forget-after", "12h", "--max-hosts", "500"}).config;
    BOOST_TEST(!c.persist);
    BOOST_TEST(c.retention_ms == 90LL * 86'400'000);
    BOOST_TEST(c.forget_after_ms == 12LL * 3'600'000);
    BOOST_TEST(c.max_hosts == 500u);
    BOOST_TEST(parse({"--forget-after", "30s"}).config.forget_after_ms == 30'000);
    BOOST_TEST(parse({"--retention", "1.5d"}).config.retention_ms == 36LL * 3'600'000);
    for (auto bad : {"soon", "3w", "-1", "0", "0.5s"})
        BOOST_TEST(error_of({"--forget-after", bad}).find("--forget-after") != std::string::npos, bad);
    BOOST_TEST(error_of({"--retention", "forever"}).find("--retention") != std::string::npos);
    BOOST_TEST(error_of({"--max-hosts", "0"}).find("--max-hosts") != std::string::npos);
}
