#include "hub/live/live_hub.hpp"

#define BOOST_TEST_MODULE live_hub
#include <boost/test/unit_test.hpp>

#include "hub/state/host_registry.hpp"

using namespace telehub;
using namespace telehub::hub;

namespace {

struct FakeSink : LiveSink {
    std::vector<LiveMessage> got;
    void deliver(LiveMessage m) override { got.push_back(std::move(m)); }
    void shutdown() override {}
    void recheck_credential() override {}
};

void add_host(HostRegistry& reg, const std::string& id, double cpu, std::uint64_t conn) {
    Hello h;
    h.host_id = id;
    h.interval_ms = 1000;
    reg.on_hello(h, conn);
    Sample s;
    s.host_id = id;
    s.seq = 1;
    s.cpu.total = cpu;
    reg.on_sample(s, std::make_shared<const std::string>("x"), conn);
}

}  // namespace

BOOST_AUTO_TEST_CASE(detail_frames_go_only_to_subscribers_and_are_shared) {
    LiveHub hub;
    auto a = std::make_shared<FakeSink>(), b = std::make_shared<FakeSink>();
    auto ia = hub.add(a), ib = hub.add(b);
    hub.subscribe(ia, {}, {"web-1"});
    hub.subscribe(ib, {}, {"db-1"});
    auto frame = std::make_shared<const std::string>("{\"type\":\"sample\"}");
    BOOST_TEST(hub.forward_sample("web-1", frame) == 1u);
    BOOST_REQUIRE(a->got.size() == 1u);
    BOOST_TEST(a->got[0].data.get() == frame.get());  // the same bytes, not a copy
    BOOST_TEST(b->got.empty());
    hub.subscribe(ia, {}, {});  // a new subscribe replaces the detail set
    BOOST_TEST(hub.forward_sample("web-1", frame) == 0u);
    hub.remove(ib);
    BOOST_TEST(hub.forward_sample("db-1", frame) == 0u);
    BOOST_TEST(hub.size() == 1u);
}

BOOST_AUTO_TEST_CASE(one_summaries_frame_per_distinct_filter) {
    HostRegistry reg(RegistryOptions{});
    add_host(reg, "web-1", 90, 1);
    add_host(reg, "db-1", 10, 2);
    LiveHub hub;
    std::vector<std::shared_ptr<FakeSink>> sinks;
    for (int i = 0; i < 4; ++i) sinks.push_back(std::make_shared<FakeSink>());
    std::vector<std::uint64_t> ids;
    for (auto& s : sinks) ids.push_back(hub.add(s));
    HostFilter hot;
    hot.min_cpu = 80;
    hub.subscribe(ids[2], hot, {});
    hub.subscribe(ids[3], hot, {});
    BOOST_TEST(hub.broadcast_summaries(reg, 123, 250) == 2u);
    for (auto& s : sinks) {
        BOOST_REQUIRE(s->got.size() == 1u);
        BOOST_REQUIRE(s->got[0].parts);
        BOOST_REQUIRE(s->got[0].parts->size() == 1u);
    }
    BOOST_TEST(sinks[0]->got[0].parts.get() == sinks[1]->got[0].parts.get());
    BOOST_TEST(sinks[2]->got[0].parts.get() == sinks[3]->got[0].parts.get());
    BOOST_TEST(sinks[0]->got[0].parts.get() != sinks[2]->got[0].parts.get());
    BOOST_TEST((sinks[2]->got[0].kind == LiveMessageKind::summaries));
    const auto& hot_frame = sinks[2]->got[0].parts->at(0);
    BOOST_TEST(hot_frame.find("web-1") != std::string::npos);
    BOOST_TEST(hot_frame.find("db-1") == std::string::npos);
    BOOST_TEST(sinks[0]->got[0].parts->at(0).find("db-1") != std::string::npos);
    // One host a part: the unfiltered set is two frames, one host each.
    for (auto& s : sinks) s->got.clear();
    hub.broadcast_summaries(reg, 124, 1);
    BOOST_REQUIRE(sinks[0]->got.size() == 1u);
    BOOST_REQUIRE(sinks[0]->got[0].parts->size() == 2u);
    BOOST_TEST(sinks[0]->got[0].parts->at(0).find("\"parts\":2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(dead_sessions_are_skipped) {
    LiveHub hub;
    auto id = hub.add(std::make_shared<FakeSink>());  // released at once
    hub.subscribe(id, {}, {"h"});
    BOOST_TEST(hub.forward_sample("h", std::make_shared<const std::string>("x")) == 0u);
    BOOST_TEST(hub.all().empty());
}
