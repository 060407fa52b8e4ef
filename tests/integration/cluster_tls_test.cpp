// Redis over TLS (rediss://, docs/cluster.md): a redis-server this test
// starts with a TLS port and a certificate from the test's own CA, hubs on
// loopback joining it through their TLS tunnel. Checked: two hubs share one
// fleet through the TLS port, also when Redis asks for client certificates;
// a hub that does not trust Redis's certificate, or has no client
// certificate when one is asked for, stays out and says why in /healthz;
// the TLS flags are refused without rediss:// and an unreadable CA stops the
// hub naming the file. Every process and folder made here is removed here.
#define BOOST_TEST_MODULE integration_cluster_tls
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include "tests/integration/cluster_harness.hpp"
#include "tests/support/test_pki.hpp"

using namespace telehub::test;

namespace {

// A TLS port beside the plain one (which the harness pings to know it is up).
std::vector<std::string> tls_flags(const TestPki& pki, std::uint16_t tls_port, bool ask_client_certs) {
    return {"--tls-port", std::to_string(tls_port), "--tls-cert-file", pki.hub.cert_file, "--tls-key-file",
            pki.hub.key_file, "--tls-ca-cert-file", pki.ca_file, "--tls-auth-clients", ask_client_certs ? "yes" : "no"};
}

std::vector<std::string> tls_hub(std::uint16_t tls_port, const std::string& name, std::vector<std::string> more) {
    std::vector<std::string> args{"--quiet", "--no-persist", "--cluster", "rediss://127.0.0.1:" + std::to_string(tls_port),
                                  "--hub-name", name};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

std::string cluster_error(const HubProcess& hub) {
    auto j = hub.get_json("/healthz");
    return j.is_object() && j.contains("cluster") ? j["cluster"].value("error", "") : "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(two_hubs_share_a_fleet_through_redis_over_tls) {
    TestPki pki;
    const auto tls_port = free_port();
    RedisServer redis(free_port(), tls_flags(pki, tls_port, false));
    HubProcess a(tls_hub(tls_port, "hub-a", {"--cluster-ca", pki.ca_file}));
    HubProcess b(tls_hub(tls_port, "hub-b", {"--cluster-ca", pki.ca_file}));
    StreamingAgent on_b(b.port, "over-tls", 100ms, 42);
    BOOST_TEST(wait_until([&] { return online_on(a, "over-tls", "hub-b"); }, 5s), a.get_json("/healthz").dump());
    auto health = a.get_json("/healthz")["cluster"];
    BOOST_TEST(health["state"] == "up");
    BOOST_TEST(health["redis"] == "rediss://127.0.0.1:" + std::to_string(tls_port));
    // A read forwarded to hub B goes through the tunnel too.
    BOOST_TEST(a.get_json("/api/hosts/over-tls")["sample"]["cpu"]["total"] == 42.0);

    // Not trusting Redis's certificate: out of the cluster, and why.
    HubProcess stranger(tls_hub(tls_port, "hub-x", {"--cluster-ca", pki.other_ca_file}));
    BOOST_TEST(wait_until([&] { return cluster_error(stranger).find("certificate verify failed") != std::string::npos; }, 5s),
               stranger.get_json("/healthz").dump());
    BOOST_TEST(cluster_state(stranger) == "down");
    BOOST_TEST(!on_b.failed());
}

BOOST_AUTO_TEST_CASE(a_redis_that_asks_for_client_certificates_gets_the_hubs_own) {
    TestPki pki;
    const auto tls_port = free_port();
    RedisServer redis(free_port(), tls_flags(pki, tls_port, true));
    HubProcess a(tls_hub(tls_port, "hub-a",
                         {"--cluster-ca", pki.ca_file, "--cluster-cert", pki.client.cert_file, "--cluster-key", pki.client.key_file}));
    StreamingAgent on_a(a.port, "with-cert", 100ms, 7);
    // Up, and its fleet message went through: Redis kept the connection after checking the certificate.
    HubProcess b(tls_hub(tls_port, "hub-b",
                         {"--cluster-ca", pki.ca_file, "--cluster-cert", pki.client.cert_file, "--cluster-key", pki.client.key_file}));
    BOOST_TEST(wait_until([&] { return online_on(b, "with-cert", "hub-a"); }, 5s), b.get_json("/healthz").dump());
    // Without one, Redis ends the handshake: the hub stays out, says so, and keeps trying.
    HubProcess bare(tls_hub(tls_port, "hub-c", {"--cluster-ca", pki.ca_file}));
    BOOST_TEST(wait_until([&] { return !cluster_error(bare).empty() && cluster_state(bare) == "down"; }, 5s),
               bare.get_json("/healthz").dump());
    BOOST_TEST(!row_of(bare, "with-cert").is_object());  // it never saw the fleet
    BOOST_TEST(!on_a.failed());
}

BOOST_AUTO_TEST_CASE(tls_flags_without_rediss_or_with_an_unreadable_file_stop_the_hub_naming_them) {
    TestPki pki;
    for (const auto& [args, expect] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"--cluster", "redis://127.0.0.1:6379", "--cluster-ca", pki.ca_file}, "--cluster-ca"},
             {{"--cluster", "rediss://127.0.0.1:6379", "--cluster-cert", pki.hub.cert_file}, "--cluster-key"},
             {{"--cluster", "rediss://127.0.0.1:6379", "--cluster-ca", "/nonexistent/ca.pem"}, "/nonexistent/ca.pem"}}) {
        std::vector<std::string> argv = {hub_binary, "--check-config"};
        argv.insert(argv.end(), args.begin(), args.end());
        ChildProcess hub(argv);
        auto status = hub.wait(10s);
        BOOST_REQUIRE(status);
        BOOST_TEST(WEXITSTATUS(*status) != 0, hub.output());
        BOOST_TEST(hub.output().find(expect) != std::string::npos, hub.output());
    }
}
