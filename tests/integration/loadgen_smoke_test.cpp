// A small run of telehub-loadgen against the real hub: 200 simulated agents
// for a 5 s window, 2 dashboards, the first watching 5 hosts in detail. The
// test starts the hub itself and reads the hub's own counter through
// GET /api/stats after the run, so the load generator's report is checked
// against a reading it did not make. No timing goal here: that is bench/.
// A second case runs a few agents over TLS through a hub restart.
#define BOOST_TEST_MODULE loadgen_smoke
#include <boost/test/unit_test.hpp>

#include <charconv>
#include <optional>
#include <sstream>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.hpp"
#include "tests/support/net.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

namespace {

using telehub::test::ChildProcess;
using telehub::test::free_port;
using telehub::test::wait_until;
using namespace std::chrono_literals;
using json = nlohmann::json;

const std::string bin = TELEHUB_BINARY_DIR;
const std::string hub_path = bin + "/hub/telehub";
const std::string loadgen_path = bin + "/bench/telehub-loadgen";

constexpr int agents = 200;

// A plain blocking GET on 127.0.0.1; the body, or nullopt on any failure.
std::optional<std::string> http_get(std::uint16_t port, const std::string& target) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string response;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == ssize_t(req.size())) {
            char buf[4096];
            for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, std::size_t(n));
        }
    }
    ::close(fd);
    auto body = response.find("\r\n\r\n");
    if (!response.starts_with("HTTP/1.1 200") || body == std::string::npos) return std::nullopt;
    return response.substr(body + 4);
}

// The last line of `out` that is a JSON object: the load generator's report.
std::optional<json> last_json_line(const std::string& out) {
    std::istringstream in(out);
    std::optional<json> found;
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("{")) {
            auto j = json::parse(line, nullptr, false);
            if (!j.is_discarded()) found = std::move(j);
        }
    return found;
}

}  // namespace

BOOST_AUTO_TEST_CASE(hub_counts_what_the_load_generator_sends) {
    auto port = free_port();
    telehub::test::TempDir data{"telehub-loadgen-smoke"};
    ChildProcess hub({hub_path, "--listen", "127.0.0.1:" + std::to_string(port), "--threads", "1", "--quiet",
                      "--data-dir", data.str()});
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return http_get(port, "/healthz").has_value() || !hub.running(); }, 10s) &&
                              hub.running(),
                          "the hub did not answer /healthz within 10 s; output: " << hub.output());

    ChildProcess loadgen({loadgen_path, "--hub", "127.0.0.1:" + std::to_string(port), "--hub-pid",
                          std::to_string(hub.pid()), "--agents", std::to_string(agents), "--dashboards", "2",
                          "--detail", "5", "--window", "5", "--settle", "1", "--max-seconds", "60"});
    auto status = loadgen.wait(90s);
    BOOST_REQUIRE_MESSAGE(status, "telehub-loadgen did not finish within 90 s; output: " << loadgen.output());
    BOOST_REQUIRE_MESSAGE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0,
                          "telehub-loadgen failed; output: " << loadgen.output());

    auto report = last_json_line(loadgen.output());
    BOOST_REQUIRE_MESSAGE(report, "no JSON report line; output: " << loadgen.output());
    BOOST_REQUIRE_EQUAL((*report)["windows"].size(), 1u);
    const auto& w = (*report)["windows"][0];
    BOOST_TEST_MESSAGE("loadgen window: " << w.dump());

    BOOST_TEST(w["agents_welcomed"].get<int>() == agents);
    BOOST_TEST(w["connect_failures"].get<int>() == 0);
    // 200 agents at one sample a second for ~5 s.
    auto sent = w["samples_sent"].get<std::uint64_t>();
    BOOST_TEST(sent >= std::uint64_t(agents * 4));
    BOOST_REQUIRE(w["samples_hub_counted"].is_number());
    BOOST_TEST(w["samples_hub_counted"].get<std::uint64_t>() >= sent * 95 / 100);
    // The frames are the size of a real agent's sample.
    BOOST_TEST(w["mean_frame_bytes"].get<double>() > 2000);
    // The detail-subscribed dashboard got the forwarded samples, with a
    // latency measured from each sample's send time.
    BOOST_TEST(w["latency_ms"]["count"].get<int>() >= 5 * 3);
    BOOST_TEST(w["latency_ms"]["p50"].get<double>() > 0);
    BOOST_TEST(w["summaries_per_s"].size() == 2u);
    BOOST_TEST(w["hub_cpu_percent"].is_number());

    // The hub's own counter, read by this test after the run, holds at
    // least every sample the load generator says it sent in the window.
    auto stats = http_get(port, "/api/stats");
    BOOST_REQUIRE_MESSAGE(stats, "GET /api/stats failed after the run");
    auto j = json::parse(*stats, nullptr, false);
    BOOST_REQUIRE(!j.is_discarded());
    BOOST_TEST(j["samples_received"].get<std::uint64_t>() >= sent * 95 / 100);
    BOOST_TEST(j["frames_refused"].get<std::uint64_t>() == 0u);
}

// The TLS path in a few seconds: the load generator starts the hub itself
// with --self-signed-tls (a temporary data dir it removes), 20 agents speak
// wss:// with the hub's certificate pinned, then the hub is killed and
// started again on the same port and data dir: every agent must come back
// with a resumed TLS session and no sample may be missing at the new hub.
BOOST_AUTO_TEST_CASE(tls_agents_resume_and_lose_nothing_across_a_hub_restart) {
    constexpr int tls_agents = 20;
    ChildProcess loadgen({loadgen_path, "--spawn-hub", hub_path, "--tls", "--agents", std::to_string(tls_agents),
                          "--dashboards", "1", "--detail", "2", "--window", "2", "--settle", "1", "--restart-after",
                          "1", "--restart-settle", "1", "--restart-timeout", "30", "--max-seconds", "60"});
    auto status = loadgen.wait(90s);
    BOOST_REQUIRE_MESSAGE(status, "telehub-loadgen did not finish within 90 s; output: " << loadgen.output());
    BOOST_REQUIRE_MESSAGE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0,
                          "telehub-loadgen failed; output: " << loadgen.output());
    auto report = last_json_line(loadgen.output());
    BOOST_REQUIRE_MESSAGE(report, "no JSON report line; output: " << loadgen.output());
    BOOST_TEST_MESSAGE("loadgen report: " << report->dump());
    BOOST_TEST((*report)["tls"].get<bool>());
    BOOST_TEST((*report)["tls_pin"].get<std::string>().starts_with("sha256:"));
    BOOST_REQUIRE_EQUAL((*report)["windows"].size(), 1u);
    const auto& w = (*report)["windows"][0];
    BOOST_TEST(w["agents_welcomed"].get<int>() == tls_agents);
    BOOST_TEST(w["connect_failures"].get<int>() == 0);
    BOOST_TEST(w["samples_hub_counted"].get<std::uint64_t>() >= w["samples_sent"].get<std::uint64_t>() * 95 / 100);

    const auto& r = (*report)["restart"];
    BOOST_REQUIRE_MESSAGE(r.is_object(), "no restart in the report");
    BOOST_TEST(r["agents"].get<int>() == tls_agents);
    BOOST_TEST(r["back"].get<int>() == tls_agents);
    BOOST_TEST(r["checked"].get<bool>());
    BOOST_TEST(r["lost"].get<std::uint64_t>() == 0u);
    BOOST_TEST(r["hub_gaps"].get<std::uint64_t>() == r["expected_gaps"].get<std::uint64_t>());
    // Every reconnect resumed its session with the ticket keys the new hub read from the data dir.
    BOOST_TEST(r["tls_handshakes"].get<std::uint64_t>() >= std::uint64_t(tls_agents));
    BOOST_TEST(r["tls_resumed"].get<std::uint64_t>() == r["tls_handshakes"].get<std::uint64_t>());
    BOOST_TEST(r["generated_after_kill"].get<std::uint64_t>() > 0u);
}
