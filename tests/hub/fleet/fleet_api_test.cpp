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

// The reply is written field by field (telehub/json_writer.hpp): every field of
// every row and host entry, read back, is the aggregate's own, names with
// quotes and UTF-8 included.
BOOST_AUTO_TEST_CASE(every_field_of_a_row_reads_back_as_the_aggregate_has_it) {
    FleetProcesses f;
    two_hosts(f);
    Sample s;
    s.host_id = "host-\"q\"";
    s.ts_ms = 1000;
    TopProcess odd;
    odd.pid = 12;
    odd.name = "d\xc3\xa9mon \"x\"\\";
    odd.cpu = 12.375;
    s.top = {odd, odd};
    ProcessSockets ps;
    ps.pid = 12;
    ps.name = odd.name;
    ps.tcp[tcp_established] = 300;  // more than "server" on both hosts, to lead by sockets
    ps.tcp[tcp_listen] = 1;
    ps.udp = 2;
    ps.total = 303;
    s.sockets.by_process = {ps};
    LeakSuspect leak;
    leak.name = odd.name;
    leak.reason = "growth";
    s.leaks = {leak};
    f.on_sample("h\xc3\xb4te", s);

    for (auto sort : {FleetSort::cpu, FleetSort::sockets}) {
        const auto rows = f.top(sort, 10);
        auto j = body_of(fleet_processes_reply(f, sort == FleetSort::cpu ? "sort=cpu" : "sort=sockets"));
        BOOST_TEST(j["hosts"] == f.host_count());
        BOOST_TEST(j["names"] == f.name_count());
        BOOST_TEST_REQUIRE(j["processes"].size() == rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto& r = rows[i];
            const auto& row = j["processes"][i];
            BOOST_TEST(row["name"] == r.name);
            BOOST_TEST(row["hosts"] == r.hosts);
            BOOST_TEST(row["processes"] == r.processes);
            BOOST_TEST(row["cpu_total"] == r.cpu_total);
            BOOST_TEST(row["cpu_max"] == r.cpu_max);
            BOOST_TEST(row["sockets"]["total"] == r.sockets);
            BOOST_TEST(row["sockets"]["udp"] == r.udp);
            BOOST_TEST(row["sockets"]["unix"] == r.unix_);
            json tcp = json::object();
            for (int st = 1; st < tcp_state_count; ++st)
                if (r.tcp[static_cast<std::size_t>(st)]) tcp[std::string(tcp_state_name(st))] = r.tcp[static_cast<std::size_t>(st)];
            BOOST_TEST(row["sockets"]["tcp"] == tcp);
            BOOST_TEST(row["leak_hosts"] == r.leak_host_count);
            BOOST_TEST(row["leak_host_ids"] == json(r.leak_hosts));
            BOOST_TEST_REQUIRE(row["host_list"].size() == r.host_list.size());
            for (std::size_t k = 0; k < r.host_list.size(); ++k) {
                const auto& h = r.host_list[k];
                const auto& e = row["host_list"][k];
                BOOST_TEST(e["host_id"] == h.host_id);
                BOOST_TEST(e["hostname"] == h.hostname);
                BOOST_TEST(e["cpu"] == h.cpu);
                BOOST_TEST(e["cpu_max"] == h.cpu_max);
                BOOST_TEST(e["processes"] == h.processes);
                BOOST_TEST(e["sockets"] == h.sockets);
                BOOST_TEST(e["leak"] == h.leak);
                BOOST_TEST(e.size() == 7u);
            }
            BOOST_TEST(row.size() == 9u);
        }
    }
    // The odd name's row is there, with its leak and its host in the lists.
    auto j = body_of(fleet_processes_reply(f, "sort=sockets&limit=1"));
    BOOST_TEST(j["processes"][0]["name"] == odd.name);
    BOOST_TEST(j["processes"][0]["leak_host_ids"] == json::array({"host-\"q\""}));
    BOOST_TEST(j["processes"][0]["host_list"][0]["leak"] == true);
    BOOST_TEST(j["processes"][0]["host_list"][0]["processes"] == 2);
}
