// HubClient over wss:// against the real hub (--self-signed-tls, the
// certificate pinned): the session kept from the welcome resumes after the
// hub was killed and started again on the same data dir, whose ticket keys
// it reads back. A killed hub sends no close_notify; OpenSSL then marks the
// dead connection's session not resumable, so the agent must keep a copy.
#define BOOST_TEST_MODULE hub_client_tls
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "agent/stream/hub_client.hpp"
#include "telehub/cert_fingerprint.hpp"
#include "telehub/codec.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/net.hpp"
#include "tests/support/wait.hpp"

namespace {

using namespace telehub;
using namespace telehub::agent;
using namespace std::chrono_literals;
using telehub::test::ChildProcess;

const std::string hub_path = std::string(TELEHUB_BINARY_DIR) + "/hub/telehub";

std::string pem_fingerprint(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "r");
    if (!f) return {};
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!cert) return {};
    auto fp = cert_fingerprint(cert);
    X509_free(cert);
    return fp;
}

struct TempDir {
    TempDir() {
        std::string t = (std::filesystem::temp_directory_path() / "telehub-tls-test-XXXXXX").string();
        BOOST_REQUIRE(::mkdtemp(t.data()));
        path = t;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string path;
};

std::unique_ptr<ChildProcess> start_hub(std::uint16_t port, const std::string& data_dir) {
    auto hub = std::make_unique<ChildProcess>(std::vector<std::string>{
        hub_path, "--listen", "127.0.0.1:" + std::to_string(port), "--self-signed-tls", "--data-dir", data_dir,
        "--quiet"});
    BOOST_REQUIRE_MESSAGE(
        test::wait_until([&] { return test::http_get(port, "/healthz").status == 200 || !hub->running(); }, 10s) &&
            hub->running(),
        "the hub did not answer /healthz; output: " << hub->output());
    return hub;
}

// Runs the client's io_context until `done` or `timeout`.
template <class F>
bool run_until(boost::asio::io_context& ioc, F done, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= until) return false;
        ioc.restart();
        ioc.run_for(20ms);
    }
    return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(session_resumes_after_the_hub_was_killed_and_restarted) {
    TempDir dir;
    auto port = test::free_port();
    auto hub = start_hub(port, dir.path);
    auto fp = pem_fingerprint(dir.path + "/tls/hub-cert.pem");
    BOOST_REQUIRE(fp.starts_with("sha256:"));

    boost::asio::io_context ioc;
    HubClientOptions o;
    o.url = hub_url_or_throw("wss://127.0.0.1:" + std::to_string(port) + "/ws/agent");
    o.hub_fingerprint = fp;
    o.hello.protocol = protocol_version;
    o.hello.host_id = "tls-host";
    o.hello.hostname = "tls-host";
    o.hello.cores = 2;
    o.hello.agent_version = "0.1.0";
    o.hello.instance = 1763800000123;
    o.backoff.initial = 50ms;
    o.backoff.cap = 200ms;
    o.backoff_seed = 7;
    o.log = [](std::string_view) {};
    HubClient client(ioc, std::move(o));
    client.start();
    BOOST_REQUIRE(run_until(ioc, [&] { return client.stats().welcomes == 1; }, 10s));
    BOOST_TEST(client.stats().tls_resumed == 0u);

    // A crash as far as the agent can tell: no close frame, no close_notify.
    hub->stop(SIGKILL);
    hub.reset();
    // An attempt or two fail (refused) while no hub listens; each must leave the kept session usable.
    run_until(ioc, [&] { return client.stats().connect_attempts >= 3; }, 5s);
    hub = start_hub(port, dir.path);
    BOOST_REQUIRE(run_until(ioc, [&] { return client.stats().welcomes == 2; }, 15s));
    BOOST_TEST(client.stats().tls_resumed == 1u);
    client.stop();
    ioc.restart();
    ioc.run_for(500ms);
}
