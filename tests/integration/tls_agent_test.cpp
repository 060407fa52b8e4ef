// A real agent streams to a real hub over wss:// (issue 16): trusting a CA
// (--ca-file) for an ECDSA and an RSA certificate, or pinning the hub's
// self-signed certificate (--hub-fingerprint), which the hub keeps across
// restarts in --data-dir.
#define BOOST_TEST_MODULE tls_agent
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <regex>

#include <sys/stat.h>
#include <unistd.h>

#include "tests/integration/tls_harness.hpp"

using namespace telehub::test;
namespace fs = std::filesystem;

namespace {

// The agent is connected over TLS and the hub receives its samples: its
// history grows by 3 points after the agent said "connected".
void expect_streaming(std::uint16_t port, const std::string& host_id, ChildProcess& agent) {
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return connected_lines(agent.output()) >= 1; }, 5s),
                          host_id << " did not connect: " << agent.output());
    std::size_t before = 0;
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return (before = history_points(port, host_id)) >= 1; }, 3s),
                          host_id << " has no sample at the hub: " << agent.output());
    BOOST_TEST(wait_until([&] { return history_points(port, host_id) >= before + 3; }, 3s),
               host_id << " stopped streaming at " << before << " points: " << agent.output());
    BOOST_TEST(lines_with(agent.output(), {"retrying"}).empty(), agent.output());
}

// "    fingerprint sha256:..." from the hub's start-up banner.
std::string printed_fingerprint(const std::string& hub_output) {
    static const std::regex line(R"(^\s+fingerprint (sha256:[0-9a-f]{64})$)");
    for (const auto& l : complete_lines(hub_output)) {
        std::smatch m;
        if (std::regex_match(l, m, line)) return m[1];
    }
    return {};
}


}  // namespace

BOOST_AUTO_TEST_CASE(agent_streams_over_tls_to_a_hub_with_a_ca_signed_ecdsa_or_rsa_certificate) {
    TestPki pki;
    auto ecdsa_port = free_port(), rsa_port = free_port();
    auto ecdsa_hub = start_tls_hub(ecdsa_port, {"--tls-cert", pki.hub.cert_file, "--tls-key", pki.hub.key_file});
    auto rsa_hub = start_tls_hub(rsa_port, {"--tls-cert", pki.hub_rsa.cert_file, "--tls-key", pki.hub_rsa.key_file});
    // The ECDSA hub by address (checked against IP:127.0.0.1), the RSA one by name (DNS:localhost, sent as SNI).
    auto a = start_tls_agent(wss_url("127.0.0.1", ecdsa_port), "tls-ecdsa", {"--ca-file", pki.ca_file});
    auto b = start_tls_agent(wss_url("localhost", rsa_port), "tls-rsa", {"--ca-file", pki.ca_file});
    expect_streaming(ecdsa_port, "tls-ecdsa", *a);
    expect_streaming(rsa_port, "tls-rsa", *b);
    // Really TLS, with the certificate each hub was given.
    BOOST_TEST(tls_peer_fingerprint(ecdsa_port) == pki.hub.fingerprint);
    BOOST_TEST(tls_peer_fingerprint(rsa_port) == pki.hub_rsa.fingerprint);
    BOOST_TEST(hub_stat(ecdsa_port, "tls_handshake_failures") == 0u);
    BOOST_TEST(hub_stat(rsa_port, "tls_handshake_failures") == 0u);
}

BOOST_AUTO_TEST_CASE(pinned_fingerprint_of_the_self_signed_certificate_survives_a_restart) {
    TempDir data;
    auto port = free_port();
    const std::vector<std::string> flags = {"--self-signed-tls", "--data-dir", data.path.string()};
    auto hub = start_tls_hub(port, flags);
    const std::string out1 = hub->output();
    const std::string fp = printed_fingerprint(out1);
    BOOST_REQUIRE_MESSAGE(!fp.empty(), "no fingerprint line: " << out1);
    BOOST_TEST(out1.find("generated a self-signed certificate") != std::string::npos, out1);
    BOOST_TEST(tls_peer_fingerprint(port) == fp, "the printed fingerprint is the one the hub serves");
    const fs::path key = data.path / "tls" / "hub-key.pem";
    struct stat st {};
    BOOST_REQUIRE(::stat(key.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u, "key file mode " << std::oct << (st.st_mode & 0777));

    // One agent pins the right fingerprint, one a wrong one (the last digit changed).
    std::string wrong = fp;
    wrong.back() = wrong.back() == '0' ? '1' : '0';
    auto good = start_tls_agent(wss_url("127.0.0.1", port), "pinned-good", {"--hub-fingerprint", fp});
    auto bad = start_tls_agent(wss_url("127.0.0.1", port), "pinned-bad", {"--hub-fingerprint", wrong});
    expect_streaming(port, "pinned-good", *good);
    // The refusal names what the hub showed and what was pinned, and is retried.
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return lines_with(bad->output(), {"retrying"}).size() >= 2; }, 5s),
                          "no second attempt: " << bad->output());
    auto refusals = lines_with(bad->output(), {"has fingerprint " + fp, "not the pinned --hub-fingerprint " + wrong,
                                               "the token was not sent"});
    BOOST_TEST(refusals.size() >= 2u, bad->output());
    BOOST_TEST(connected_lines(bad->output()) == 0u, bad->output());
    BOOST_TEST(history_points(port, "pinned-bad") == 0u);

    // Restart on the same port and data directory: the same certificate, reused.
    BOOST_REQUIRE(hub->stop(SIGTERM).has_value());
    hub = start_tls_hub(port, flags);
    const std::string out2 = hub->output();
    BOOST_TEST(printed_fingerprint(out2) == fp, out2);
    BOOST_TEST(out2.find("using the self-signed certificate") != std::string::npos, out2);
    BOOST_TEST(out2.find("generated a") == std::string::npos, out2);
    BOOST_REQUIRE(::stat(key.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    // So the pinned agent comes back without a change.
    BOOST_TEST(wait_until([&] { return connected_lines(good->output()) >= 2; }, 5s), good->output());
    BOOST_TEST(wait_until([&] { return history_points(port, "pinned-good") >= 2; }, 3s));
    BOOST_TEST(connected_lines(bad->output()) == 0u, bad->output());
}
