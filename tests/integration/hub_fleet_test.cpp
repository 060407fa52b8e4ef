// GET /api/fleet/processes on the real hub, fed by fake agents: process
// names grouped across hosts from each accepted sample, a host's share gone
// once it is offline, the viewer token asked for, a bad parameter named.
#include "hub_harness.hpp"

#define BOOST_TEST_MODULE hub_fleet
#include <boost/test/unit_test.hpp>

#include <optional>

using namespace telehub::test;
using nlohmann::json;

namespace {

const std::string viewer = "viewer-token-for-fleet-tests";

HttpResult get(const HubProcess& hub, const std::string& target) {
    HttpOptions o;
    o.headers = {{"Authorization", "Bearer " + viewer}};
    return http_request(hub.port, "GET", target, o);
}

std::optional<json> row_of(const HubProcess& hub, const std::string& name) {
    auto r = get(hub, "/api/fleet/processes?limit=10");
    auto j = json::parse(r.body, nullptr, false);
    if (r.status != 200 || !j.is_object()) return std::nullopt;
    for (auto& p : j["processes"])
        if (p["name"] == name) return p;
    return std::nullopt;
}

}  // namespace

BOOST_AUTO_TEST_CASE(names_are_grouped_across_hosts_and_leave_with_them) {
    HubProcess hub{{"--viewer-token", viewer, "--quiet"}};
    // Both keep streaming (a silent host goes offline within a few
    // intervals); make_sample lists "burner" at twice the host's CPU.
    StreamingAgent alpha(hub.port, "alpha", 50ms, 10);
    auto beta = std::make_unique<StreamingAgent>(hub.port, "beta", 50ms, 50);

    std::optional<json> burner;
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return (burner = row_of(hub, "burner")) && (*burner)["hosts"] == 2; }, 5s),
                          "burner never listed on both hosts; hub: " << hub.proc->output());
    // Each of many samples replaced its host's share: no sum over time.
    BOOST_REQUIRE(wait_until([&] { return alpha.sent() > 5 && beta->sent() > 5; }, 5s));
    burner = row_of(hub, "burner");
    BOOST_TEST_REQUIRE(burner.has_value());
    BOOST_TEST((*burner)["cpu_total"] == 120.0);
    BOOST_TEST((*burner)["cpu_max"] == 100.0);
    BOOST_TEST((*burner)["processes"] == 2);
    BOOST_TEST((*burner)["host_list"][0]["host_id"] == "beta");
    BOOST_TEST((*burner)["host_list"][0]["hostname"] == "beta.test");
    BOOST_TEST((*burner)["host_list"][1]["host_id"] == "alpha");

    auto body = json::parse(get(hub, "/api/fleet/processes?sort=cpu&limit=1").body);
    BOOST_TEST(body["processes"].size() == 1u);
    BOOST_TEST(body["processes"][0]["name"] == "burner");
    BOOST_TEST(body["hosts"] == 2);

    BOOST_TEST(http_get(hub.port, "/api/fleet/processes").status == 401, "readable without the viewer token");
    auto bad = get(hub, "/api/fleet/processes?sort=cpu&limit=0");
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(bad.body.find("parameter 'limit'") != std::string::npos, bad.body);
    BOOST_TEST(get(hub, "/api/fleet/processes?sort=name").body.find("parameter 'sort'") != std::string::npos);
    HttpOptions post;
    post.headers = {{"Authorization", "Bearer " + viewer}};
    auto wrong = http_request(hub.port, "POST", "/api/fleet/processes", post);
    BOOST_TEST(wrong.status == 405);
    BOOST_TEST(wrong.allow == "GET, HEAD");

    // beta's agent goes: once the hub sees it offline, its share goes too.
    beta.reset();
    BOOST_TEST(wait_until([&] { auto b = row_of(hub, "burner"); return b && (*b)["hosts"] == 1; }, 10s),
               "beta's share stayed after it went offline");
    auto left = row_of(hub, "burner");
    BOOST_TEST_REQUIRE(left.has_value());
    BOOST_TEST((*left)["cpu_total"] == 20.0);
    BOOST_TEST(!alpha.failed());
    BOOST_TEST((*left)["host_list"].size() == 1u);
}
