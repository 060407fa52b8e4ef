// What a reload names as waiting for a restart: every config key is either
// applied by a reload or named when its value changes. The table of changed
// values below must cover every key the hub has, so a new flag that
// restart_only_changes does not know fails here, not silently in the field.
#include "hub/hub_config.hpp"

#define BOOST_TEST_MODULE hub_config_reload
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <vector>

using namespace telehub::hub;

namespace {

HubConfig parse(std::vector<std::string> args) {
    args.insert(args.begin(), "telehub");
    std::vector<const char*> ptrs;
    for (const auto& a : args) ptrs.push_back(a.c_str());
    return parse_hub_config(static_cast<int>(ptrs.size()), ptrs.data()).config;
}

// Parsing makes no file: the default data folder is only named.
const std::vector<std::string> base_args = {};

struct Change {
    std::vector<std::string> args;       // added to base_args
    std::vector<std::string> named;      // what restart_only_changes must say; empty: a reload applies it
};

// One changed value per key of the config file.
const std::map<std::string, Change> changes = {
    {"listen", {{"--listen", "127.0.0.1:9191"}, {"listen"}}},
    {"threads", {{"--threads", "3"}, {"threads"}}},
    {"io_batch_ms", {{"--io-batch-ms", "2"}, {"io_batch_ms"}}},
    {"web_root", {{"--web-root", "/srv/web"}, {"web_root"}}},
    {"max_frame", {{"--max-frame", "2048"}, {"max_frame"}}},
    {"max_reply", {{"--max-reply", "4096000"}, {"max_reply"}}},
    {"high_cpu", {{"--high-cpu", "55"}, {}}},
    {"log_format", {{"--log-format", "json"}, {"log_format"}}},
    {"log_min_cpu", {{"--log-min-cpu", "10"}, {"log_min_cpu"}}},
    {"log_rate", {{"--log-rate", "7"}, {"log_rate"}}},
    {"log_file", {{"--log-file", "/var/log/t.log"}, {"log_file"}}},
    {"quiet", {{"--quiet"}, {"quiet"}}},
    {"history", {{"--history", "60"}, {"history"}}},
    {"metrics_top_processes", {{"--metrics-top-processes", "3"}, {"metrics_top_processes"}}},
    {"live_queue_bytes", {{"--live-queue-bytes", "8192"}, {"live_queue_bytes"}}},
    {"agent_idle_timeout", {{"--agent-idle-timeout", "30"}, {"agent_idle_timeout"}}},
    {"http_header_timeout", {{"--http-header-timeout", "3"}, {"http_header_timeout"}}},
    {"live_stall_ms", {{"--live-stall-ms", "900"}, {"live_stall_ms"}}},
    {"live_part_hosts", {{"--live-part-hosts", "20"}, {"live_part_hosts"}}},
    {"agent_token", {{"--agent-token", "an-agent-token-0123"}, {}}},
    {"agent_token_file", {{"--agent-token-file", "/etc/telehub/agent.token"}, {}}},
    {"admin_token", {{"--admin-token", "an-admin-token-0123"}, {}}},
    {"admin_token_file", {{"--admin-token-file", "/etc/telehub/admin.token"}, {}}},
    {"viewer_token", {{"--viewer-token", "a-viewer-token-0123"}, {}}},
    {"viewer_token_file", {{"--viewer-token-file", "/etc/telehub/viewer.token"}, {}}},
    {"agent_tokens_file", {{"--agent-tokens-file", "/etc/telehub/agents.tokens"}, {}}},
    {"admin_tokens_file", {{"--admin-tokens-file", "/etc/telehub/admins.tokens"}, {}}},
    {"viewer_tokens_file", {{"--viewer-tokens-file", "/etc/telehub/viewers.tokens"}, {}}},
    {"insecure", {{"--insecure"}, {"insecure"}}},
    {"command_timeout", {{"--command-timeout", "9"}, {"command_timeout"}}},
    {"audit_log", {{"--audit-log", "/var/log/audit.jsonl"}, {"audit_log"}}},
    {"rules", {{"--rules", "/var/lib/telehub/rules.toml"}, {"rules"}}},
    {"tls_cert", {{"--tls-cert", "/etc/t.pem", "--tls-key", "/etc/t.key"}, {"tls_cert", "tls_key"}}},
    {"tls_key", {{"--tls-cert", "/etc/t.pem", "--tls-key", "/etc/t.key"}, {"tls_cert", "tls_key"}}},
    {"data_dir", {{"--data-dir", "/srv/telehub"}, {"audit_log", "data_dir"}}},
    {"self_signed_tls", {{"--self-signed-tls"}, {"self_signed_tls"}}},
    {"plain_from", {{"--plain-from", "10.0.0.1"}, {"plain_from"}}},
    {"no_persist", {{"--no-persist"}, {"no_persist"}}},
    {"retention", {{"--retention", "2"}, {"retention"}}},
    {"forget_after", {{"--forget-after", "3"}, {"forget_after"}}},
    {"cluster", {{"--cluster", "redis://127.0.0.1:6379", "--hub-name", "h1"}, {"cluster", "hub_name"}}},
    {"cluster_ca", {{"--cluster", "rediss://127.0.0.1:6379", "--hub-name", "h1", "--cluster-ca", "/etc/ca.pem"},
                    {"cluster", "cluster_ca", "hub_name"}}},
    {"cluster_cert", {{"--cluster", "rediss://127.0.0.1:6379", "--hub-name", "h1", "--cluster-cert", "/c.pem", "--cluster-key", "/c.key"},
                      {"cluster", "cluster_cert", "cluster_key", "hub_name"}}},
    {"cluster_key", {{"--cluster", "rediss://127.0.0.1:6379", "--hub-name", "h1", "--cluster-cert", "/c.pem", "--cluster-key", "/c.key"},
                     {"cluster", "cluster_cert", "cluster_key", "hub_name"}}},
    {"hub_name", {{"--hub-name", "h2"}, {"hub_name"}}},
    {"max_hosts", {{"--max-hosts", "77"}, {"max_hosts"}}},
};

}  // namespace

BOOST_AUTO_TEST_CASE(every_key_is_applied_by_a_reload_or_named) {
    const HubConfig running = parse(base_args);
    for (const auto& key : hub_config_keys()) {
        auto it = changes.find(key);
        BOOST_TEST_REQUIRE((it != changes.end()), "no changed value for key '" << key << "': add one to this test, "
                                                "and to restart_only_changes unless a reload applies it");
        auto args = base_args;
        args.insert(args.end(), it->second.args.begin(), it->second.args.end());
        const HubConfig next = parse(args);
        BOOST_TEST_CONTEXT("key " << key) {
            BOOST_TEST(!(next == running), "the changed value changes nothing");
            BOOST_TEST(restart_only_changes(running, next) == it->second.named, boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(nothing_changed_names_nothing) {
    BOOST_TEST(restart_only_changes(parse(base_args), parse(base_args)).empty());
}

BOOST_AUTO_TEST_CASE(a_setting_no_key_names_is_still_reported) {
    const HubConfig running = parse(base_args);
    HubConfig next = running;
    next.live_queue_messages += 1;  // no flag sets it
    next.threads = 2;
    BOOST_TEST(restart_only_changes(running, next) == (std::vector<std::string>{"threads", "other settings"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(take_reloadable_leaves_only_restart_settings_different) {
    const HubConfig running = parse(base_args);
    HubConfig next = parse({"--high-cpu", "40", "--admin-token", "an-admin-token-0123"});
    HubConfig merged = running;
    take_reloadable(merged, next);
    BOOST_TEST((merged == next));
}
