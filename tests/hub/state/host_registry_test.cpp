#include "hub/state/host_registry.hpp"

#define BOOST_TEST_MODULE host_registry
#include <boost/test/unit_test.hpp>

#include <memory>

using namespace telehub;
using namespace telehub::hub;

namespace {

struct Fixture {
    std::int64_t now = 1'763'800'000'000;
    HostRegistry reg{RegistryOptions{.history_points = 100, .high_cpu = 80}, [this] { return now; }};

    static Hello hello(std::string id, std::int64_t instance = 111, std::uint32_t interval = 1000) {
        Hello h;
        h.protocol = 1;
        h.host_id = std::move(id);
        h.hostname = h.host_id + ".example";
        h.cores = 2;
        h.interval_ms = interval;
        h.instance = instance;
        return h;
    }

    static Sample sample(std::string id, std::uint64_t seq, double cpu = 10, bool backfill = false) {
        Sample s;
        s.host_id = std::move(id);
        s.seq = seq;
        s.ts_ms = 1'763'000'000'000 + static_cast<std::int64_t>(seq) * 1000;
        s.interval_ms = 1000;
        s.backfill = backfill;
        s.cpu.total = cpu;
        s.cpu.per_core = {cpu, cpu};
        s.load = {0.5, 0.4, 0.3};
        TopProcess p;
        p.pid = 42;
        p.name = "busy";
        p.cpu = cpu * 2;
        s.top.push_back(p);
        s.sockets.tcp[tcp_established] = 7;
        s.sockets.tcp[tcp_listen] = 2;
        s.sockets.udp = 1;
        s.sockets.unix_ = 3;
        return s;
    }

    SampleOutcome feed(const Sample& s, std::uint64_t conn = 1) {
        return reg.on_sample(s, std::make_shared<const std::string>("raw-" + std::to_string(s.seq)), conn);
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(latest_sample_and_summary_fields, Fixture) {
    BOOST_TEST(reg.on_hello(hello("a"), 1).last_seq == 0u);
    feed(sample("a", 1, 12.5));
    feed(sample("a", 2, 33.0));
    auto d = reg.detail("a");
    BOOST_REQUIRE(d.has_value());
    BOOST_TEST(*d->sample == "raw-2");
    BOOST_TEST(d->summary.cpu == 33.0);
    BOOST_TEST(d->summary.hostname == "a.example");
    BOOST_TEST(d->summary.top_name == "busy");
    BOOST_TEST(d->summary.top_cpu == 66.0);
    BOOST_TEST(d->summary.tcp_established == 7u);
    BOOST_TEST(d->summary.sockets_total == 13u);
    BOOST_TEST(d->summary.seq == 2u);
    BOOST_TEST(d->summary.online);
    BOOST_TEST(d->hello->instance == 111);
    BOOST_TEST(!reg.detail("nope").has_value());
}

BOOST_FIXTURE_TEST_CASE(offline_after_three_missed_intervals, Fixture) {
    reg.on_hello(hello("a"), 1);
    feed(sample("a", 1));
    now += 3000;
    BOOST_TEST(reg.summaries({}).at(0).online);
    now += 1;
    auto s = reg.summaries({}).at(0);
    BOOST_TEST(!s.online);
    BOOST_TEST(s.last_seen_ms == now - 3001);
    auto c = reg.counts();
    BOOST_TEST(c.offline == 1u);
    BOOST_TEST(c.online == 0u);
    // A new sample brings it back.
    feed(sample("a", 2));
    BOOST_TEST(reg.summaries({}).at(0).online);
}

BOOST_FIXTURE_TEST_CASE(disconnect_marks_offline_only_for_the_owning_connection, Fixture) {
    reg.on_hello(hello("a"), 1);
    feed(sample("a", 1), 1);
    reg.on_hello(hello("a"), 2);  // takeover
    reg.on_disconnect("a", 1);    // the replaced connection ends
    BOOST_TEST(reg.summaries({}).at(0).online);
    reg.on_disconnect("a", 2);
    BOOST_TEST(!reg.summaries({}).at(0).online);
}

// The cluster reads presence() and the alerts' offline tick offline_hosts():
// both must agree with the summaries.
BOOST_FIXTURE_TEST_CASE(presence_agrees_with_the_summaries, Fixture) {
    for (std::string id : {"b", "a", "c"}) {
        reg.on_hello(hello(id), id[0]);
        feed(sample(id, 1), id[0]);
    }
    reg.on_disconnect("b", 'b');
    const auto rows = reg.presence();
    const auto sums = reg.summaries({});
    BOOST_REQUIRE(rows.size() == 3u);
    BOOST_REQUIRE(rows.size() == sums.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        BOOST_TEST(rows[i].host_id == sums[i].host_id);
        BOOST_TEST(rows[i].hostname == sums[i].hostname);
        BOOST_TEST(rows[i].online == sums[i].online, rows[i].host_id);
    }
    BOOST_TEST(!rows[1].online);  // "b", in id order
    BOOST_TEST(rows[0].online);
    const auto offline = reg.offline_hosts();
    BOOST_REQUIRE(offline.size() == 1u);
    BOOST_TEST(offline[0].host_id == "b");
    BOOST_TEST(offline[0].hostname == sums[1].hostname);
    BOOST_TEST(!offline[0].online);
}

BOOST_FIXTURE_TEST_CASE(gaps_and_duplicates, Fixture) {
    reg.on_hello(hello("a"), 1);
    BOOST_TEST(feed(sample("a", 1)).accepted);
    auto jump = feed(sample("a", 5));
    BOOST_TEST(jump.accepted);
    BOOST_TEST(jump.gaps_added == 3u);
    BOOST_TEST(!feed(sample("a", 5)).accepted);
    BOOST_TEST(!feed(sample("a", 3)).accepted);  // older, not a backfill: a duplicate
    auto s = reg.summaries({}).at(0);
    BOOST_TEST(s.gaps == 3u);
    BOOST_TEST(s.seq == 5u);
    BOOST_TEST(*reg.detail("a")->sample == "raw-5");
}

BOOST_FIXTURE_TEST_CASE(welcome_last_seq_is_per_instance, Fixture) {
    reg.on_hello(hello("a", 111), 1);
    for (std::uint64_t s = 1; s <= 7; ++s) feed(sample("a", s));
    BOOST_TEST(reg.on_hello(hello("a", 111), 2).last_seq == 7u);  // same agent reconnects
    BOOST_TEST(reg.on_hello(hello("a", 222), 3).last_seq == 0u);  // agent restarted
    BOOST_TEST(feed(sample("a", 1), 3).accepted);         // seq restarts without counting as duplicate
    BOOST_TEST(reg.on_hello(hello("b", 111), 4).last_seq == 0u);  // same instance value, other host
}

BOOST_FIXTURE_TEST_CASE(backfill_goes_into_history_in_seq_order, Fixture) {
    reg.on_hello(hello("a"), 1);
    feed(sample("a", 1, 1));
    feed(sample("a", 5, 5));  // live sample arrives before the replay of 2..4
    for (std::uint64_t s : {4, 2, 3}) BOOST_TEST(feed(sample("a", s, static_cast<double>(s), true)).accepted);
    BOOST_TEST(!feed(sample("a", 3, 3, true)).accepted);  // replayed twice
    auto h = reg.history("a", 0);
    BOOST_REQUIRE(h.has_value());
    BOOST_TEST(h->columns.seq == (std::vector<std::uint64_t>{1, 2, 3, 4, 5}), boost::test_tools::per_element());
    BOOST_TEST(h->columns.cpu == (std::vector<double>{1, 2, 3, 4, 5}), boost::test_tools::per_element());
    BOOST_TEST(reg.summaries({}).at(0).gaps == 0u);          // the replay filled the hole
    BOOST_TEST(*reg.detail("a")->sample == "raw-5");         // latest stays the newest
}

BOOST_FIXTURE_TEST_CASE(backfill_after_last_seq_appends_and_advances, Fixture) {
    reg.on_hello(hello("a"), 1);
    for (std::uint64_t s = 10; s <= 12; ++s) BOOST_TEST(feed(sample("a", s, 1, true)).accepted);
    BOOST_TEST(reg.on_hello(hello("a"), 2).last_seq == 12u);
}

BOOST_FIXTURE_TEST_CASE(history_is_bounded_per_host, Fixture) {
    reg.on_hello(hello("a"), 1);
    for (std::uint64_t s = 1; s <= 1000; ++s) feed(sample("a", s));
    auto h = reg.history("a", 0);
    BOOST_TEST(h->columns.seq.size() == 100u);
    BOOST_TEST(h->columns.seq.front() == 901u);
    BOOST_TEST(h->columns.per_core.size() == 2u);
    auto bytes = reg.history_bytes("a");
    BOOST_TEST(*bytes <= 100u * (28 + 2 * 2) + 1024);
    BOOST_TEST(reg.history("a", 10)->columns.seq.size() == 11u);  // newest and the 10 s before it
}

BOOST_FIXTURE_TEST_CASE(filter_and_hot_marking, Fixture) {
    reg.on_hello(hello("web-1"), 1);
    reg.on_hello(hello("db-1"), 2);
    feed(sample("web-1", 1, 95), 1);
    feed(sample("db-1", 1, 20), 2);
    HostFilter hot;
    hot.min_cpu = 80;
    auto list = reg.summaries(hot);
    BOOST_REQUIRE(list.size() == 1u);
    BOOST_TEST(list[0].host_id == "web-1");
    BOOST_TEST(list[0].hot);
    HostFilter name;
    name.q = "db";
    BOOST_TEST(reg.summaries(name).at(0).host_id == "db-1");
    BOOST_TEST(!reg.summaries(name).at(0).hot);
    BOOST_TEST(reg.counts().hot == 1u);
    BOOST_TEST(reg.counts().total == 2u);
    auto snaps = reg.snapshots({});
    BOOST_TEST(snaps.size() == 2u);
    BOOST_TEST(snaps[1].spark.size() == 1u);
    BOOST_TEST(snaps[1].spark[0] == 95.0);
}

BOOST_FIXTURE_TEST_CASE(a_large_fleet_lists_every_host_once_in_id_order, Fixture) {
    // More hosts than one slice of the summary copy, arriving in scrambled order.
    constexpr int n = 1000;
    for (int i = 0; i < n; ++i) {
        auto id = "h" + std::to_string((i * 7919) % n);
        reg.on_hello(hello(id), static_cast<std::uint64_t>(i + 1));
        feed(sample(id, 1, id == "h999" || id == "h3" ? 97 : 10), static_cast<std::uint64_t>(i + 1));
    }
    auto all = reg.summaries({});
    BOOST_REQUIRE(all.size() == static_cast<std::size_t>(n));
    // Parenthesised: Boost.Test would otherwise compare the strings element by element.
    for (std::size_t i = 1; i < all.size(); ++i)
        BOOST_TEST((all[i - 1].host_id < all[i].host_id), i << ": " << all[i - 1].host_id << " then " << all[i].host_id);
    HostFilter hot;
    hot.min_cpu = 80;
    auto list = reg.summaries(hot);  // matches only in the first and the last slice
    BOOST_REQUIRE(list.size() == 2u);
    BOOST_TEST(list[0].host_id == "h3");
    BOOST_TEST(list[1].host_id == "h999");
    auto c = reg.counts();
    BOOST_TEST(c.total == static_cast<std::size_t>(n));
    BOOST_TEST(c.online == static_cast<std::size_t>(n));
    BOOST_TEST(c.hot == 2u);
}

// Each sample's history point is built in a buffer the next one reuses: what
// one sample had and the next lacks must not carry over.
BOOST_FIXTURE_TEST_CASE(a_history_point_holds_only_its_own_sample, Fixture) {
    reg.on_hello(hello("a"), 1);
    auto full = sample("a", 1, 20);
    full.sockets.churn.exact = true;
    full.sockets.churn.tcp_active_opens = 5;
    feed(full);
    auto bare = sample("a", 2, 30);
    bare.top.clear();
    bare.cpu.per_core = {30, 31};
    feed(bare);
    auto h = reg.history("a", 60);
    BOOST_REQUIRE(h.has_value());
    const auto& c = h->columns;
    BOOST_REQUIRE(c.top_name.size() == 2u);
    BOOST_TEST(c.top_name[0] == "busy");
    BOOST_TEST(c.top_name[1] == "");
    BOOST_TEST(c.top_cpu[1] == 0.0);
    BOOST_TEST(c.opens_exact[0] == 5u);
    BOOST_TEST(c.opens_exact[1] == 0u);
    BOOST_REQUIRE(c.per_core.size() == 2u);
    BOOST_REQUIRE(c.per_core[1].size() == 2u);
    BOOST_TEST(c.per_core[0][0] == 20.0);
    BOOST_TEST(c.per_core[1][1] == 31.0);
}

// A session's handle reaches its host without the id; after any host is
// forgotten it is stale and the sample finds its host again, never the
// forgotten one's memory.
BOOST_FIXTURE_TEST_CASE(a_handle_reaches_its_host_and_a_stale_one_finds_it_again, Fixture) {
    reg.on_hello(hello("a"), 1);
    reg.on_hello(hello("b"), 2);
    HostRegistry::Handle ha;
    reg.on_sample(sample("a", 1, 11), std::make_shared<const std::string>("a-1"), 1, &ha);
    BOOST_REQUIRE(ha.host != nullptr);
    reg.on_sample(sample("a", 2, 12), std::make_shared<const std::string>("a-2"), 1, &ha);
    BOOST_TEST(*reg.detail("a")->sample == "a-2");
    reg.on_disconnect("b", 2);
    BOOST_TEST((reg.forget("b") == ForgetResult::forgotten));
    reg.on_sample(sample("a", 3, 13), std::make_shared<const std::string>("a-3"), 1, &ha);
    BOOST_TEST(*reg.detail("a")->sample == "a-3");
    BOOST_TEST(reg.detail("a")->summary.cpu == 13.0);
    BOOST_TEST(!reg.detail("b").has_value());
    // "a" itself forgotten and back: the handle leads to the new host, not the old memory.
    reg.on_disconnect("a", 1);
    BOOST_TEST((reg.forget("a") == ForgetResult::forgotten));
    reg.on_hello(hello("a"), 3);
    reg.on_sample(sample("a", 1, 14), std::make_shared<const std::string>("a-new"), 3, &ha);
    BOOST_TEST(*reg.detail("a")->sample == "a-new");
    BOOST_TEST(reg.host_count() == 1u);
}
