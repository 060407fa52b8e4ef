// The hub's side of TLS on its one port (issue 16): plain HTTP and WebSocket
// only from --plain-from peers (403 tls_required for others, not a hang; a
// dashboard page is redirected to https://),
// TLS 1.3 negotiated and 1.1 refused (checked with `openssl s_client`), and
// SIGHUP swapping the certificate without dropping a connection.
#define BOOST_TEST_MODULE tls_hub
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/tls_harness.hpp"
#include "tests/support/ws_client.hpp"

using namespace telehub::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {


std::string error_code_of(const HttpResult& r) {
    auto j = json::parse(r.body, nullptr, false);
    return j.is_object() && j["error"].is_object() && j["error"]["code"].is_string() ? j["error"]["code"].get<std::string>()
                                                                                     : std::string();
}

HttpResult plain_request(std::uint16_t port, const std::string& target, const std::string& source, bool upgrade) {
    HttpOptions o;
    o.source_address = source;
    o.timeout = 3s;
    if (upgrade)
        o.headers = {{"Connection", "Upgrade"},
                     {"Upgrade", "websocket"},
                     {"Sec-WebSocket-Version", "13"},
                     {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
    return http_request(port, "GET", target, o);
}

std::string find_openssl() {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string d; std::getline(dirs, d, ':');)
        if (!d.empty() && ::access((fs::path(d) / "openssl").c_str(), X_OK) == 0) return (fs::path(d) / "openssl").string();
    return {};
}

struct SClient {
    int status = -1;  // the exit status, -1 if it did not exit in time
    std::string output;
};

SClient s_client(std::uint16_t port, std::vector<std::string> flags) {
    auto openssl = find_openssl();
    BOOST_REQUIRE_MESSAGE(!openssl.empty(), "openssl not found on PATH (Debian package openssl; scripts/setup)");
    std::vector<std::string> argv = {openssl, "s_client", "-connect", "127.0.0.1:" + std::to_string(port)};
    argv.insert(argv.end(), flags.begin(), flags.end());
    ChildProcess p(argv);  // stdin is /dev/null: s_client ends after the handshake
    SClient r;
    if (auto st = p.wait(10s)) r.status = WIFEXITED(*st) ? WEXITSTATUS(*st) : 128;
    r.output = p.output();
    return r;
}

void copy_pair(const TestCert& from, const fs::path& cert, const fs::path& key) {
    // Each written beside and renamed into place, as an operator's deploy would.
    fs::copy_file(from.cert_file, cert.string() + ".new", fs::copy_options::overwrite_existing);
    fs::copy_file(from.key_file, key.string() + ".new", fs::copy_options::overwrite_existing);
    fs::rename(key.string() + ".new", key);
    fs::rename(cert.string() + ".new", cert);
}

}  // namespace

BOOST_AUTO_TEST_CASE(plain_http_and_websocket_only_from_loopback_peers_403_tls_required_for_others) {
    TestPki pki;
    auto tls_port = free_port(), plain_port = free_port();
    auto tls_hub = start_tls_hub(tls_port, {"--tls-cert", pki.hub.cert_file, "--tls-key", pki.hub.key_file});
    auto plain_hub = start_tls_hub(plain_port, {});  // no certificate: plain only, the same rule
    for (auto port : {tls_port, plain_port}) {
        BOOST_TEST_CONTEXT((port == tls_port ? "TLS hub" : "plain hub")) {
            auto started = std::chrono::steady_clock::now();
            auto rest = plain_request(port, "/api/hosts", "127.0.0.2", false);
            BOOST_TEST(rest.status == 403, rest.body);
            BOOST_TEST(error_code_of(rest) == "tls_required", rest.body);
            auto upgrade = plain_request(port, "/ws/agent", "127.0.0.2", true);
            BOOST_TEST(upgrade.status == 403, upgrade.body);
            BOOST_TEST(error_code_of(upgrade) == "tls_required", upgrade.body);
            BOOST_CHECK_THROW(WsClient(port, "/ws/live", 3s, "127.0.0.2"), std::runtime_error);
            auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
            BOOST_TEST(took.count() < 3000, "answered in " << took.count() << " ms, not left hanging");

            // The same requests from 127.0.0.1 are served.
            auto ok = plain_request(port, "/api/hosts", "127.0.0.1", false);
            BOOST_TEST(ok.status == 200, ok.body);
            BOOST_TEST(json::parse(ok.body, nullptr, false)["hosts"].is_array(), ok.body);
            BOOST_TEST(plain_request(port, "/ws/live", "127.0.0.1", true).status == 101);
            WsClient live(port, "/ws/live", 3s, "127.0.0.1");
            auto first = live.read(3s);
            BOOST_TEST_REQUIRE(first.has_value());
            BOOST_TEST(json::parse(*first, nullptr, false)["type"] == "snapshot", *first);
        }
    }
    // A browser that typed http:// for the dashboard is sent to https:// on the same port and name.
    auto page = [&](std::uint16_t port, const std::string& target, const std::string& host) {
        HttpOptions o;
        o.source_address = "127.0.0.2";
        o.timeout = 3s;
        if (!host.empty()) o.headers = {{"Host", host}};
        return http_request(port, "GET", target, o);
    };
    const auto tls_at = ":" + std::to_string(tls_port);
    auto moved = page(tls_port, "/", "");
    BOOST_TEST(moved.status == 308, moved.body);
    BOOST_TEST(moved.header("Location") == "https://127.0.0.1" + tls_at + "/");
    moved = page(tls_port, "/index.html#/host/web1", "hub.example:80");
    BOOST_TEST(moved.status == 308, moved.body);
    BOOST_TEST(moved.header("Location") == "https://hub.example" + tls_at + "/index.html#/host/web1");
    moved = page(tls_port, "/", "[::1]" + tls_at);
    BOOST_TEST(moved.header("Location") == "https://[::1]" + tls_at + "/");
    // Not for a Host that is not a name, nor where there is no TLS to go to.
    BOOST_TEST(page(tls_port, "/", "hub.example/evil").status == 403);
    BOOST_TEST(page(plain_port, "/", "").status == 403);
    auto refused_lines = [&] { return lines_with(tls_hub->output(), {"refused plain HTTP from 127.0.0.2:", "/api/hosts"}); };
    BOOST_TEST(wait_until([&] { return !refused_lines().empty(); }, 2s), tls_hub->output());
    BOOST_TEST(refused_lines().size() == 1u, tls_hub->output());
}

BOOST_AUTO_TEST_CASE(s_client_negotiates_tls_1_3_and_tls_1_1_is_refused) {
    TestPki pki;
    auto port = free_port();
    auto hub = start_tls_hub(port, {"--tls-cert", pki.hub.cert_file, "--tls-key", pki.hub.key_file});

    auto v13 = s_client(port, {"-tls1_3", "-CAfile", pki.ca_file, "-verify_return_error"});
    BOOST_TEST(v13.status == 0, v13.output);
    // s_client offers AES-256 first; the hub's preference picks AES-128.
    BOOST_TEST(v13.output.find("New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256") != std::string::npos, v13.output);
    BOOST_TEST(v13.output.find("Verify return code: 0 (ok)") != std::string::npos, v13.output);
    BOOST_TEST(hub_stat(port, "tls_handshake_failures") == 0u);

    // SECLEVEL=0 so that this client does offer TLS 1.1 whatever its own
    // defaults: the refusal must come from the hub.
    auto v11 = s_client(port, {"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"});
    BOOST_TEST(v11.status != 0, v11.output);
    BOOST_TEST(v11.output.find("alert protocol version") != std::string::npos, v11.output);
    BOOST_TEST(v11.output.find("New, TLSv1.1") == std::string::npos, v11.output);
    BOOST_TEST(wait_until([&] { return hub_stat(port, "tls_handshake_failures") == 1; }, 2s));
    auto logged = [&] { return lines_with(hub->output(), {"TLS handshake with 127.0.0.1:", "unsupported protocol"}); };
    BOOST_TEST(wait_until([&] { return !logged().empty(); }, 2s), hub->output());
}

BOOST_AUTO_TEST_CASE(sighup_serves_the_new_certificate_and_keeps_connections_open) {
    TestPki pki;
    TempDir dir;
    const fs::path cert = dir.path / "hub-cert.pem", key = dir.path / "hub-key.pem";
    copy_pair(pki.hub, cert, key);
    auto port = free_port();
    auto hub = start_tls_hub(port, {"--tls-cert", cert.string(), "--tls-key", key.string()});
    auto agent = start_tls_agent(wss_url("127.0.0.1", port), "reload-a", {"--ca-file", pki.ca_file});
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return history_points(port, "reload-a") >= 1; }, 5s), agent->output());
    BOOST_REQUIRE(tls_peer_fingerprint(port) == pki.hub.fingerprint);

    // Certificate B (RSA, the same CA and names) replaces A on disk; SIGHUP.
    copy_pair(pki.hub_rsa, cert, key);
    BOOST_TEST(tls_peer_fingerprint(port) == pki.hub.fingerprint, "no change before the signal");
    BOOST_REQUIRE(::kill(hub->pid(), SIGHUP) == 0);
    BOOST_TEST_REQUIRE(wait_until([&] { return tls_peer_fingerprint(port) == pki.hub_rsa.fingerprint; }, 5s),
                       hub->output());
    // The log line comes from the log's writer thread, just after the swap.
    auto reloaded = [&] { return lines_with(hub->output(), {"reloaded the TLS certificate", pki.hub_rsa.fingerprint}); };
    BOOST_TEST(wait_until([&] { return !reloaded().empty(); }, 2s), hub->output());

    // The agent that connected under A streams on, never dropped...
    auto before = history_points(port, "reload-a");
    BOOST_TEST(wait_until([&] { return history_points(port, "reload-a") >= before + 5; }, 3s));
    BOOST_TEST(connected_lines(agent->output()) == 1u, agent->output());
    BOOST_TEST(lines_with(agent->output(), {"retrying"}).empty(), agent->output());
    // ...and a new one verifies B against the CA.
    auto fresh = start_tls_agent(wss_url("127.0.0.1", port), "reload-b", {"--ca-file", pki.ca_file});
    BOOST_TEST(wait_until([&] { return history_points(port, "reload-b") >= 1; }, 5s), fresh->output());

    // A broken file on the next SIGHUP keeps B.
    std::ofstream(cert) << "not a certificate\n";
    BOOST_REQUIRE(::kill(hub->pid(), SIGHUP) == 0);
    BOOST_TEST(wait_until([&] { return !lines_with(hub->output(), {"TLS reload failed"}).empty(); }, 3s), hub->output());
    BOOST_TEST(tls_peer_fingerprint(port) == pki.hub_rsa.fingerprint);
    BOOST_TEST(hub->running());
    BOOST_TEST(connected_lines(agent->output()) == 1u, agent->output());
}

// --check-config loads the pair as a start does: a key of another certificate,
// or a certificate agents would refuse, is not "valid"; one expiring soon is a warning.
BOOST_AUTO_TEST_CASE(check_config_loads_the_certificate_and_key) {
    TestPki pki;
    auto check = [](const std::string& cert, const std::string& key) {
        ChildProcess hub({tls_hub_binary, "--check-config", "--tls-cert", cert, "--tls-key", key});
        auto status = hub.wait(10s);
        BOOST_REQUIRE_MESSAGE(status, "--check-config did not exit");
        return std::pair{WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, hub.output()};
    };
    auto [mismatch_code, mismatch] = check(pki.hub.cert_file, pki.other_name.key_file);
    BOOST_TEST(mismatch_code == 2, mismatch);
    BOOST_TEST(mismatch.find("does not belong to the certificate") != std::string::npos, mismatch);
    auto [expired_code, expired] = check(pki.expired.cert_file, pki.expired.key_file);
    BOOST_TEST(expired_code == 2, expired);
    BOOST_TEST(expired.find(" expired on ") != std::string::npos, expired);
    // The test certificates are good for 7 days.
    auto [good_code, good] = check(pki.hub.cert_file, pki.hub.key_file);
    BOOST_TEST(good_code == 0, good);
    BOOST_TEST(good.find("warning: the certificate") != std::string::npos, good);
    BOOST_TEST(good.find("in less than 14 days") != std::string::npos, good);
    BOOST_TEST(good.find("the configuration is valid") != std::string::npos, good);
}

// A hub listening beyond loopback without viewer tokens says that reads are
// open. In a network namespace of its own (unshare -n, which execs the hub: one
// pid), so that 0.0.0.0 reaches nothing outside this test.
BOOST_AUTO_TEST_CASE(an_open_hub_beyond_loopback_says_so) {
    TempDir data("telehub-open-hub");
    ChildProcess hub({"/usr/bin/unshare", "-n", "/bin/sh", "-c", "ip link set lo up && exec \"$0\" --listen 0.0.0.0:8443 --quiet --data-dir \"$1\" --agent-token \"$2\"",
                      tls_hub_binary, data.str(), tls_agent_token});
    const bool said = wait_until([&] { return hub.output().find("reads are open: anyone who can reach 0.0.0.0:8443") != std::string::npos; }, 10s);
    BOOST_TEST(said, hub.output());
    // Its own certificate names this machine, and so does the command it prints for agents.
    BOOST_TEST(hub.output().find("telehub-agent --hub wss://127.0.0.1:") == std::string::npos, hub.output());
}
