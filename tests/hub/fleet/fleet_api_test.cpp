// GET /api/fleet/processes: the parameters (a 400 naming the bad one), the
// defaults, and the fields of a row.
#include "hub/fleet/fleet.hpp"

#define BOOST_TEST_MODULE fleet_api
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

using namespace telehub;
using namespace telehub::hub;
using json = nlohmann::json;

namespace {

void two_hosts(FleetProcesses& f) {
    for (int h = 0; h < 2; ++h) {
        Sample s;
        s.host_id = "host-" + std::to_string(h);
        s.ts_ms = 1000;
        TopProcess busy;
        busy.pid = 10;
        busy.name = "busy";
        busy.cpu = 90 + h;
        TopProcess server;
        server.pid = 11;
        server.name = "server";
        server.cpu = 1;
        s.top = {busy, server};
        ProcessSockets ps;
        ps.pid = 11;
        ps.name = "server";
        ps.tcp[tcp_close_wait] = 40;
        ps.unix_ = 2;
        ps.total = 42;
        s.sockets.by_process = {ps};
        f.on_sample("host" + std::to_string(h) + ".example", s);
    }
}

json body_of(const HttpReply& r) {
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    BOOST_TEST(r.content_type == "application/json");
    return json::parse(r.body);
}

std::string bad(const FleetProcesses& f, std::string_view query) {
    auto r = fleet_processes_reply(f, query);
    BOOST_TEST(r.status == 400, query);
    auto j = json::parse(r.body);
    BOOST_TEST(j["error"]["code"] == "bad_parameter");
    return j["error"]["message"];
}

}  // namespace

BOOST_AUTO_TEST_CASE(defaults_to_cpu_and_fifty_rows) {
    FleetProcesses f;
    two_hosts(f);
    auto j = body_of(fleet_processes_reply(f, ""));
    BOOST_TEST(j["sort"] == "cpu");
    BOOST_TEST(j["limit"] == 50);
    BOOST_TEST(j["hosts"] == 2);
    BOOST_TEST(j["names"] == 2);
    BOOST_TEST_REQUIRE(j["processes"].size() == 2u);
    const auto& busy = j["processes"][0];
    BOOST_TEST(busy["name"] == "busy");
    BOOST_TEST(busy["hosts"] == 2);
    BOOST_TEST(busy["processes"] == 2);
    BOOST_TEST(busy["cpu_total"] == 181.0);
    BOOST_TEST(busy["cpu_max"] == 91.0);
    BOOST_TEST(busy["leak_hosts"] == 0);
    BOOST_TEST(busy["leak_host_ids"] == json::array());
    BOOST_TEST_REQUIRE(busy["host_list"].size() == 2u);
    BOOST_TEST(busy["host_list"][0]["host_id"] == "host-1");
    BOOST_TEST(busy["host_list"][0]["hostname"] == "host1.example");
    BOOST_TEST(busy["host_list"][0]["cpu"] == 91.0);
}

BOOST_AUTO_TEST_CASE(sorts_by_sockets_with_states) {
    FleetProcesses f;
    two_hosts(f);
    auto j = body_of(fleet_processes_reply(f, "sort=sockets&limit=1"));
    BOOST_TEST(j["sort"] == "sockets");
    BOOST_TEST_REQUIRE(j["processes"].size() == 1u);
    const auto& server = j["processes"][0];
    BOOST_TEST(server["name"] == "server");
    BOOST_TEST(server["sockets"] == json({{"total", 84}, {"tcp", {{"CLOSE_WAIT", 80}}}, {"udp", 0}, {"unix", 4}}));
    BOOST_TEST(server["host_list"][0]["sockets"] == 42);
}

BOOST_AUTO_TEST_CASE(a_bad_parameter_is_named) {
    FleetProcesses f;
    two_hosts(f);
    BOOST_TEST(bad(f, "sort=memory") == "parameter 'sort' must be cpu or sockets, got 'memory'");
    BOOST_TEST(bad(f, "sort=%zz").find("'sort'") != std::string::npos);
    for (auto q : {"limit=0", "limit=1001", "limit=ten", "limit=5x", "limit=-1", "limit="})
        BOOST_TEST(bad(f, q).find("parameter 'limit' must be a whole number from 1 to 1000") == 0u, q);
    BOOST_TEST(body_of(fleet_processes_reply(f, "limit=1000"))["processes"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(an_empty_fleet_is_an_empty_list) {
    FleetProcesses f;
    auto j = body_of(fleet_processes_reply(f, "sort=sockets"));
    BOOST_TEST(j["processes"] == json::array());
    BOOST_TEST(j["hosts"] == 0);
}
