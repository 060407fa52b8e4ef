#include "hub/hub_config.hpp"

#define BOOST_TEST_MODULE hub_config
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <vector>

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
    BOOST_TEST(error_of({"--high-cpu", "101"}).find("--high-cpu") != std::string::npos);
    BOOST_TEST(error_of({"--log-format", "xml"}).find("--log-format") != std::string::npos);
    BOOST_TEST(error_of({"--log-min-cpu", "-1"}).find("--log-min-cpu") != std::string::npos);
    BOOST_TEST(error_of({"--log-rate", "2000000"}).find("--log-rate") != std::string::npos);
    BOOST_TEST(error_of({"--max-frame", "10"}).find("--max-frame") != std::string::npos);
    BOOST_TEST(error_of({"--bogus"}).find("bogus") != std::string::npos);
    BOOST_TEST(error_of({"--metrics-top-processes", "101"}).find("--metrics-top-processes") != std::string::npos);
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
