// telehub-hub-floor (bench/telehub_hub_floor_main.cpp), the floor of the
// hub-ingest benchmark: it must count exactly the samples an agent sent, or
// the benchmark's CPU per sample is wrong, and it must survive the frames a
// broken client sends. No timing here: that is bench/.
#define BOOST_TEST_MODULE hub_floor
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <optional>
#include <string>

#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/net.hpp"
#include "tests/support/raw_socket.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/ws_client.hpp"

namespace {

using namespace telehub::test;
using namespace std::chrono_literals;
using json = nlohmann::json;

const std::string floor_path = std::string(TELEHUB_BINARY_DIR) + "/bench/telehub-hub-floor";

struct Floor {
    std::uint16_t port = free_port();
    // The hub's flags the load generator passes are accepted and ignored.
    ChildProcess process{{floor_path, "--listen", "127.0.0.1:" + std::to_string(port), "--threads", "1",
                          "--log-format", "text", "--data-dir", "/nonexistent", "--no-persist", "--max-frame", "4096"}};

    Floor() {
        BOOST_REQUIRE_MESSAGE(wait_until([&] { return http_get(port, "/healthz").status == 200; }, 5s),
                              "the floor did not answer /healthz: " + process.output());
    }

    std::optional<std::uint64_t> samples() {
        auto r = http_get(port, "/api/stats");
        if (r.status != 200) return std::nullopt;
        auto j = json::parse(r.body, nullptr, false);
        if (!j.contains("samples_received")) return std::nullopt;
        return j["samples_received"].get<std::uint64_t>();
    }
};

const std::string hello = R"({"type":"hello","protocol":1,"host_id":"floor-test","hostname":"floor-test"})";

std::string sample(int seq) {
    return R"({"type":"sample","host_id":"floor-test","seq":)" + std::to_string(seq) + R"(,"ts_ms":1,"cpu":{}})";
}

}  // namespace

BOOST_AUTO_TEST_CASE(counts_exactly_the_samples_after_the_hello) {
    Floor floor;
    BOOST_TEST((floor.samples() == std::optional<std::uint64_t>(0)));
    WsClient agent(floor.port, "/ws/agent");
    BOOST_REQUIRE(agent.send_text(hello));
    auto welcome = agent.read(5s);
    BOOST_REQUIRE(welcome);
    auto w = json::parse(*welcome, nullptr, false);
    BOOST_TEST(w["type"] == "welcome");
    BOOST_TEST(w["protocol"] == 1);
    for (int seq = 1; seq <= 7; ++seq) BOOST_REQUIRE(agent.send_text(sample(seq)));
    BOOST_TEST(wait_until([&] { return floor.samples() == std::optional<std::uint64_t>(7); }, 5s));
    // A dashboard is accepted and sent nothing; its frames are not samples.
    WsClient dashboard(floor.port, "/ws/live");
    BOOST_REQUIRE(dashboard.send_text(R"({"type":"subscribe","host_id":"floor-test"})"));
    BOOST_TEST(!dashboard.read(300ms));
    BOOST_REQUIRE(agent.send_text(sample(8)));
    BOOST_TEST(wait_until([&] { return floor.samples() == std::optional<std::uint64_t>(8); }, 5s));
    BOOST_TEST(http_get(floor.port, "/api/hosts").body == R"({"hosts":[]})");
    BOOST_TEST(http_get(floor.port, "/nowhere").status == 404);
}

BOOST_AUTO_TEST_CASE(malformed_frames_are_closed_and_the_floor_keeps_serving) {
    Floor floor;
    // An unmasked client frame breaks RFC 6455: the floor ends the connection.
    RawSocket raw(floor.port);
    BOOST_REQUIRE(raw.send(ws_upgrade_request("/ws/agent")));
    std::string reply;
    BOOST_REQUIRE(wait_until([&] { raw.read_some(reply, 50ms); return reply.find("\r\n\r\n") != std::string::npos; }, 5s));
    BOOST_TEST(reply.rfind("HTTP/1.1 101", 0) == 0, reply);
    BOOST_REQUIRE(raw.send(std::string("\x81\x05hello", 7)));
    BOOST_TEST(raw.wait_closed(5s));

    // A message over --max-frame is refused with 1009.
    WsClient big(floor.port, "/ws/agent");
    BOOST_REQUIRE(big.send_text(hello));
    BOOST_REQUIRE(big.read(5s));
    big.send_text(std::string(5000, ' '));
    BOOST_TEST((big.wait_close(5s) == std::optional<std::uint16_t>(1009)));

    // Still alive, still counting, and nothing from the broken ones counted.
    BOOST_TEST(floor.process.running());
    WsClient agent(floor.port, "/ws/agent");
    BOOST_REQUIRE(agent.send_text(hello));
    BOOST_REQUIRE(agent.read(5s));
    BOOST_REQUIRE(agent.send_text(sample(1)));
    BOOST_TEST(wait_until([&] { return floor.samples() == std::optional<std::uint64_t>(1); }, 5s));

    // SIGTERM stops it cleanly.
    auto status = floor.process.stop(SIGTERM);
    BOOST_REQUIRE(status);
    BOOST_TEST(WIFEXITED(*status));
    BOOST_TEST(WEXITSTATUS(*status) == 0);
}
