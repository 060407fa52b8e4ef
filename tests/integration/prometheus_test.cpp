// Issue 19's Prometheus check: Debian's prometheus server, started here on a
// loopback port with a generated config and its own temporary storage,
// scrapes the hub's /metrics with a viewer token; PromQL through its HTTP API
// returns the real agent's CPU and TCP ESTABLISHED count as the hub's REST
// history has them, within one sample. promtool checks the hub's output.
#define BOOST_TEST_MODULE prometheus
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/hub_harness.hpp"

using namespace telehub;
using namespace telehub::test;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const std::string agent_binary = TELEHUB_BINARY_DIR "/agent/telehub-agent";
const std::string prometheus_binary = "/usr/bin/prometheus";
const std::string promtool_binary = "/usr/bin/promtool";
const std::string viewer_token = "prometheus-viewer-token-0123456789";
const std::string host_id = "prom-agent";

// A directory of this test's own, removed with everything in it.
HttpResult viewer_get(std::uint16_t port, const std::string& target) {
    HttpOptions o;
    o.headers = {{"Authorization", "Bearer " + viewer_token}};
    return http_request(port, "GET", target, o);
}

std::string url_encode(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '_' || c == '-' || c == '.') out += static_cast<char>(c);
        else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

// The value of a PromQL instant query with one result, nullopt otherwise.
std::optional<double> promql(std::uint16_t port, const std::string& query) {
    auto r = http_get(port, "/api/v1/query?query=" + url_encode(query));
    if (r.status != 200) return std::nullopt;
    auto j = json::parse(r.body, nullptr, false);
    if (!j.is_object() || j["status"] != "success" || j["data"]["result"].size() != 1) return std::nullopt;
    return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
}

struct HistoryPoint {
    std::uint64_t seq;
    double cpu;
    std::uint32_t established;
};

std::vector<HistoryPoint> last_points(std::uint16_t port, std::size_t n) {
    auto r = viewer_get(port, "/api/hosts/" + host_id + "/history?seconds=30");
    auto j = json::parse(r.body, nullptr, false);
    std::vector<HistoryPoint> out;
    if (!j.is_object() || !j["seq"].is_array()) return out;
    const auto& seq = j["seq"];
    for (std::size_t i = seq.size() > n ? seq.size() - n : 0; i < seq.size(); ++i)
        out.push_back({seq[i].get<std::uint64_t>(), j["cpu"][i].get<double>(), j["tcp_established"][i].get<std::uint32_t>()});
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(prometheus_scrapes_the_hub_and_promql_agrees_with_rest) {
    BOOST_REQUIRE_MESSAGE(fs::exists(prometheus_binary) && fs::exists(promtool_binary),
                          "Debian's prometheus package is missing: run scripts/setup");
    TempDir dir("telehub-prometheus");
    HubProcess hub({"--viewer-token", viewer_token, "--quiet",
                    "--metrics-top-processes", "3"});
    ChildProcess agent({agent_binary, "--hub", "ws://127.0.0.1:" + std::to_string(hub.port) + "/ws/agent", "--host-id",
                        host_id, "--interval", "1", "--top", "3"});
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return last_points(hub.port, 2).size() == 2; }, 15s),
                          "the agent's samples did not reach the hub: " << agent.output());

    // Without the viewer token the endpoint is closed, as every read endpoint is.
    BOOST_TEST(http_get(hub.port, "/metrics").status == 401);
    auto body = viewer_get(hub.port, "/metrics");
    BOOST_TEST_REQUIRE(body.status == 200);
    BOOST_TEST(body.content_type.starts_with("text/plain; version=0.0.4"));
    BOOST_TEST(body.body.find("telehub_process_cpu_ratio{host=\"prom-agent\"") != std::string::npos);

    // promtool reads the exposition from stdin; exit 0 means no error and no lint problem.
    const auto metrics_file = dir.path / "metrics.txt";
    std::ofstream(metrics_file) << body.body;
    const auto promtool_log = dir.path / "promtool.log";
    ChildProcess promtool({"/bin/sh", "-c", promtool_binary + " check metrics < " + metrics_file.string()},
                          promtool_log.string());
    auto status = promtool.wait(30s);
    BOOST_REQUIRE_MESSAGE(status, "promtool did not finish");
    BOOST_TEST((WIFEXITED(*status) && WEXITSTATUS(*status) == 0), "promtool check metrics: " << promtool.output());

    const auto prom_port = free_port();
    const auto config = dir.path / "prometheus.yml";
    std::ofstream(config) << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                          << "scrape_configs:\n  - job_name: telehub\n"
                          << "    authorization:\n      credentials: " << viewer_token << "\n"
                          << "    static_configs:\n      - targets: ['127.0.0.1:" << hub.port << "']\n";
    ChildProcess prometheus({prometheus_binary, "--config.file=" + config.string(),
                             "--storage.tsdb.path=" + (dir.path / "tsdb").string(),
                             "--web.listen-address=127.0.0.1:" + std::to_string(prom_port), "--log.level=warn"},
                            (dir.path / "prometheus.log").string());
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return http_get(prom_port, "/-/ready").status == 200; }, 30s),
                          "prometheus did not become ready: " << prometheus.output());
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return promql(prom_port, "up{job=\"telehub\"}") == 1.0; }, 20s),
                          "prometheus did not scrape the hub: " << http_get(prom_port, "/api/v1/targets").body);

    // Prometheus holds what its newest scrape read, the hub's history the
    // samples since: the two agree when one of the hub's two newest points
    // carries both values of that scrape.
    const std::string sel = "{host=\"" + host_id + "\"}";
    const std::string established_sel = "{host=\"" + host_id + "\",state=\"ESTABLISHED\"}";
    std::optional<double> cpu, established;
    std::vector<HistoryPoint> points;
    bool agree = wait_until(
        [&] {
            cpu = promql(prom_port, "telehub_host_cpu_ratio" + sel);
            established = promql(prom_port, "telehub_host_tcp_sockets" + established_sel);
            points = last_points(hub.port, 2);
            if (!cpu || !established) return false;
            for (const auto& p : points)
                if (std::abs(p.cpu / 100.0 - *cpu) < 1e-9 && p.established == *established) return true;
            return false;
        },
        20s, 100ms);
    std::ostringstream rest;
    for (const auto& p : points) rest << " seq " << p.seq << ": cpu " << p.cpu << " established " << p.established << ";";
    BOOST_TEST(agree, "PromQL cpu ratio " << (cpu ? *cpu : -1) << ", ESTABLISHED " << (established ? *established : -1)
                                          << " vs the hub's REST history:" << rest.str());
    // The agent's own connection to the hub is established at both ends.
    BOOST_TEST(established.value_or(0) >= 2);
    BOOST_TEST(promql(prom_port, "telehub_host_online" + sel).value_or(-1) == 1.0);
    BOOST_TEST(promql(prom_port, "sum(telehub_hub_agents_connected)").value_or(-1) == 1.0);
}
