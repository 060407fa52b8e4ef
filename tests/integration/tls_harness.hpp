// Shared by the TLS integration tests (issue 16): a real hub on a chosen port
// (so it can be restarted on the same one), a real agent streaming over
// wss://, and reading their logs line by line.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/child_output.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/net.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/wait.hpp"

namespace telehub::test {

using namespace std::chrono_literals;

inline const std::string tls_hub_binary = TELEHUB_BINARY_DIR "/hub/telehub";
inline const std::string tls_agent_binary = TELEHUB_BINARY_DIR "/agent/telehub-agent";
inline const std::string tls_agent_token = "agent-token-3f9a1c-never-in-clear";
constexpr double tls_agent_interval_s = 0.2;

// The hub on 127.0.0.1:`port` with an agent token, ready when /healthz answers
// over plain HTTP from 127.0.0.1 (which a TLS hub still accepts).
inline std::unique_ptr<ChildProcess> start_tls_hub(std::uint16_t port, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {tls_hub_binary, "--listen", "127.0.0.1:" + std::to_string(port), "--threads", "2",
                                     "--quiet", "--agent-token", tls_agent_token};
    argv.insert(argv.end(), extra.begin(), extra.end());
    if (std::find(extra.begin(), extra.end(), "--data-dir") == extra.end()) {
        // A data directory of its own, kept until the test program ends.
        static std::vector<std::unique_ptr<TempDir>> dirs;
        dirs.push_back(std::make_unique<TempDir>("telehub-tls-hub"));
        argv.insert(argv.end(), {"--data-dir", dirs.back()->str()});
    }
    auto hub = std::make_unique<ChildProcess>(argv);
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return http_get(port, "/healthz").status == 200 || !hub->running(); }, 10s) &&
                              hub->running(),
                          "hub did not come up: " << hub->output());
    return hub;
}

// A real agent streaming every 0.2 s to `url` with the agent token; `trust` is
// {"--ca-file", F} or {"--hub-fingerprint", FP}.
inline std::unique_ptr<ChildProcess> start_tls_agent(const std::string& url, const std::string& host_id,
                                                     const std::vector<std::string>& trust) {
    std::vector<std::string> argv = {tls_agent_binary, "--hub", url, "--host-id", host_id, "--interval",
                                     std::to_string(tls_agent_interval_s), "--top", "3", "--token", tls_agent_token};
    argv.insert(argv.end(), trust.begin(), trust.end());
    return std::make_unique<ChildProcess>(argv);
}

inline std::string wss_url(const std::string& host, std::uint16_t port) {
    return "wss://" + host + ":" + std::to_string(port) + "/ws/agent";
}

// Complete lines of `text` holding every one of `words`.
inline std::vector<std::string> lines_with(const std::string& text, std::initializer_list<std::string_view> words) {
    std::vector<std::string> out;
    for (auto& line : complete_lines(text)) {
        bool all = true;
        for (auto w : words) all = all && line.find(w) != std::string::npos;
        if (all) out.push_back(line);
    }
    return out;
}

// The agent's "hub URL: connected; ..." lines.
inline std::size_t connected_lines(const std::string& agent_output) {
    return lines_with(agent_output, {": connected; the hub has seq"}).size();
}

// The number of points in the hub's history of `host_id` (0 when it has none).
inline std::size_t history_points(std::uint16_t port, const std::string& host_id) {
    auto r = http_get(port, "/api/hosts/" + host_id + "/history");
    if (r.status != 200) return 0;
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j["seq"].is_array()) return 0;
    return j["seq"].size();
}

// /api/stats field `name` (0 when absent).
inline std::uint64_t hub_stat(std::uint16_t port, const std::string& name) {
    auto r = http_get(port, "/api/stats");
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains(name) && j[name].is_number() ? j[name].get<std::uint64_t>() : 0;
}

}  // namespace telehub::test
