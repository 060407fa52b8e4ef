// The real hub fed leak suspects and socket churn by a fake agent: GET
// /api/leaks lists a suspect then drops it, the host summary counts it, and
// the hub's log has one line for the appearance and one for the clearing.
#include "tests/integration/hub_harness.hpp"

#define BOOST_TEST_MODULE hub_leaks
#include <boost/test/unit_test.hpp>

using namespace telehub;
using namespace telehub::test;
using nlohmann::json;

namespace {

LeakSuspect growth_suspect() {
    LeakSuspect l;
    l.pid = 4242;
    l.name = "leaky-svc";
    l.reason = "growth";
    l.count = 57;
    l.since_ms = 1763800000000;
    l.evidence = "leaky-svc grew from 10 to 57 sockets in 30 s";
    return l;
}

bool send(FakeAgent& agent, std::vector<LeakSuspect> leaks) {
    auto s = make_sample(agent.host_id, ++agent.seq, 10, agent.interval_ms);
    s.sockets.churn.exact = true;
    s.sockets.churn.tcp_active_opens = 6;
    s.sockets.churn.tcp_passive_opens = 4;
    s.sockets.churn.opened = 3;
    s.sockets.churn.closed = 1;
    s.leaks = std::move(leaks);
    return agent.ws.send_text(encode_sample(s));
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_suspect_is_listed_counted_logged_then_cleared) {
    HubProcess hub({"--quiet"});
    FakeAgent agent(hub.port, "leaky-1");
    FakeAgent clean(hub.port, "clean-1");
    BOOST_REQUIRE(send(clean, {}));
    BOOST_REQUIRE(send(agent, {growth_suspect()}));

    auto listed = [&] {
        auto j = hub.get_json("/api/leaks");
        return j.is_object() && j["leaks"].size() == 1 ? j["leaks"][0] : json(nullptr);
    };
    BOOST_REQUIRE(wait_until([&] { return !listed().is_null(); }, 5s));
    auto l = listed();
    BOOST_TEST(l["host_id"] == "leaky-1");
    BOOST_TEST(l["pid"] == 4242);
    BOOST_TEST(l["name"] == "leaky-svc");
    BOOST_TEST(l["reason"] == "growth");
    BOOST_TEST(l["count"] == 57);
    BOOST_TEST(l["since_ms"] == 1763800000000);
    BOOST_TEST(l["evidence"] == growth_suspect().evidence);
    BOOST_TEST(l["online"] == true);

    auto leaky = hub.host("leaky-1");
    BOOST_TEST(leaky["leaks"] == 1);
    BOOST_TEST(leaky["opens_per_s"].get<double>() == 50.0);  // 10 exact opens per 200 ms
    BOOST_TEST(hub.host("clean-1")["leaks"] == 0);

    auto history = hub.get_json("/api/hosts/leaky-1/history");
    BOOST_TEST(history["opens_exact"] == json::array({10}));
    BOOST_TEST(history["opened"] == json::array({3}));
    BOOST_TEST(history["closed"] == json::array({1}));

    // The same suspect again: still one, and no second "suspect" line.
    BOOST_REQUIRE(send(agent, {growth_suspect()}));
    BOOST_REQUIRE(send(agent, {}));
    BOOST_REQUIRE(wait_until([&] { return hub.get_json("/api/leaks")["leaks"].empty(); }, 5s));
    BOOST_TEST(hub.host("leaky-1")["leaks"] == 0);

    auto count = [](const std::string& text, const std::string& what) {
        std::size_t n = 0;
        for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
        return n;
    };
    const std::string appeared = "leak suspect: host 'leaky-1' pid 4242 (leaky-svc) reason growth: " + growth_suspect().evidence;
    const std::string cleared = "leak cleared: host 'leaky-1' pid 4242 (leaky-svc) reason growth";
    BOOST_REQUIRE(wait_until([&] { return count(hub.proc->output(), cleared) == 1; }, 5s));
    BOOST_TEST(count(hub.proc->output(), appeared) == 1u);
}

BOOST_AUTO_TEST_CASE(leaks_route_is_empty_without_suspects_and_takes_get_only) {
    HubProcess hub({"--quiet"});
    BOOST_TEST(hub.get_json("/api/leaks")["leaks"] == json::array());
    auto r = http_request(hub.port, "POST", "/api/leaks");
    BOOST_TEST(r.status == 405);
}
