// The cluster's fleet view: the batch a hub publishes decodes to the rows it
// was made of, and the other hubs' rows join this hub's list once per host
// (online wins), filtered, counted, ordered, offline after the grace, and
// offline once a hub's list no longer holds them.
#define BOOST_TEST_MODULE peer_fleet
#include <boost/test/unit_test.hpp>

#include "hub/cluster/cluster.hpp"
#include "hub/cluster/peer_fleet.hpp"
#include "telehub/codec.hpp"

using namespace telehub;
using namespace telehub::hub;

namespace {

HostSummary row(const std::string& id, double cpu, bool online = true, std::int64_t seen = 1000) {
    HostSummary s;
    s.host_id = id;
    s.hostname = id + ".example";
    s.online = online;
    s.hot = online && cpu >= 80;
    s.cpu = cpu;
    s.last_seen_ms = seen;
    s.seq = 7;
    s.top_pid = 42;
    s.top_name = "java";
    s.top_cpu = cpu;
    return s;
}

FleetBatch batch(const std::string& hub, std::vector<HostSummary> rows) {
    auto decoded = decode_fleet_batch(encode_fleet_batch(hub, 5000, 80, rows));
    BOOST_REQUIRE(std::holds_alternative<FleetBatch>(decoded));
    return std::get<FleetBatch>(std::move(decoded));
}

Sample sample_of(const std::string& id, std::uint64_t seq, double cpu) {
    Sample s;
    s.host_id = id;
    s.seq = seq;
    s.ts_ms = 1000 * static_cast<std::int64_t>(seq);
    s.interval_ms = 1000;
    s.cpu.total = cpu;
    s.cpu.per_core = {cpu};
    return s;
}

Hello hello_of(const std::string& id) {
    Hello h;
    h.protocol = protocol_version;
    h.host_id = id;
    h.hostname = id + ".local";
    h.interval_ms = 1000;
    h.cores = 1;
    return h;
}

struct Fixture {
    std::int64_t now = 10'000;
    HostRegistry local{RegistryOptions{}, [this] { return now; }};
    PeerFleet peers{"A", 3000, 60'000, [this] { return now; }};

    void connect(const std::string& id, double cpu, std::uint64_t conn) {
        local.on_hello(hello_of(id), conn);
        local.on_sample(sample_of(id, 1, cpu), std::make_shared<const std::string>("{}"), conn);
    }
    std::pair<std::vector<HostSummary>, HostCounts> list(const HostFilter& f = {}) {
        auto rows = local.summaries(f);
        auto counts = local.counts();
        peers.view(local)->merge(rows, counts, f);
        return {rows, counts};
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_batch_decodes_to_the_rows_it_was_made_of) {
    auto b = batch("C", {row("web-1", 91.5), row("db-1", 3)});
    BOOST_TEST(b.hub == "C");
    BOOST_TEST(b.ts_ms == 5000);
    BOOST_REQUIRE(b.hosts.size() == 2u);
    BOOST_TEST(b.hosts[0].host_id == "web-1");
    BOOST_TEST(b.hosts[0].cpu == 91.5);
    BOOST_TEST(b.hosts[0].hot);
    BOOST_TEST(b.hosts[0].top_name == "java");
    BOOST_TEST(b.hosts[0].seq == 7u);
    BOOST_TEST(b.hosts[1].hub == "C");
}

BOOST_AUTO_TEST_CASE(a_hub_knows_its_own_batch_without_decoding_it) {
    const auto text = encode_fleet_batch("hub-a", 5000, 80, {row("web-1", 10)});
    BOOST_TEST(is_batch_of(text, "hub-a"));
    BOOST_TEST(!is_batch_of(text, "hub-ab"));
    BOOST_TEST(!is_batch_of(text, "hub"));
    BOOST_TEST(!is_batch_of("{\"hub\":\"hub-a", "hub-a"));
    // and its clock, which tells it from another hub's of the same name.
    BOOST_TEST(batch_ts_of(text, "hub-a").value_or(-1) == 5000);
    BOOST_TEST(!batch_ts_of(text, "hub-b").has_value());
    BOOST_TEST(!batch_ts_of("{\"hub\":\"hub-a\",\"ts_ms\":x", "hub-a").has_value());
    // One decoder reads batch after batch, each whole.
    FleetBatchDecoder d;
    for (int i = 0; i < 3; ++i) {
        auto b = d.decode(encode_fleet_batch("C", 5000 + i, 80, {row("web-" + std::to_string(i), 10 * i)}));
        BOOST_REQUIRE(std::holds_alternative<FleetBatch>(b));
        BOOST_TEST(std::get<FleetBatch>(b).ts_ms == 5000 + i);
        BOOST_TEST(std::get<FleetBatch>(b).hosts.at(0).host_id == "web-" + std::to_string(i));
    }
}

BOOST_AUTO_TEST_CASE(what_is_not_a_batch_is_refused_with_why) {
    for (const char* text : {"", "[]", "{\"hub\":\"\",\"ts_ms\":1,\"hosts\":[]}", "{\"hub\":\"B\",\"ts_ms\":1,\"hosts\":{}}",
                             "{\"hub\":\"B\",\"ts_ms\":1,\"hosts\":[{\"cpu\":1}]}", "{\"hub\":\"B\",\"hosts\":[]}",
                             "{\"hub\":\"B\",\"ts_ms\":1,\"hosts\":[{\"host_id\":\"x\",\"cpu\":\"high\"}]}",
                             "{\"hub\":\"B\",\"ts_ms\":1,\"hosts\":[{\"host_id\":\"x\",\"top\":{\"pid\":-1.5}}]}",
                             "{\"hub\":\"B\",\"ts_ms\":1,\"hosts\":[7]}"}) {
        auto r = decode_fleet_batch(text);
        BOOST_TEST(std::holds_alternative<FleetBatchError>(r), text);
        if (auto* e = std::get_if<FleetBatchError>(&r)) BOOST_TEST(!e->message.empty());
    }
}

BOOST_AUTO_TEST_CASE(other_hubs_hosts_join_the_list_in_order_marked_with_their_hub) {
    Fixture f;
    f.connect("m-local", 10, 1);
    f.peers.take(batch("C", {row("a-remote", 90), row("z-remote", 5)}));
    f.peers.take(batch("A", {row("ignored-own", 5)}));  // this hub's own message
    auto [rows, counts] = f.list();
    BOOST_REQUIRE(rows.size() == 3u);
    BOOST_TEST(rows[0].host_id == "a-remote");
    BOOST_TEST(rows[0].hub == "C");
    BOOST_TEST(rows[1].host_id == "m-local");
    BOOST_TEST(rows[1].hub == "A");
    BOOST_TEST(rows[2].host_id == "z-remote");
    BOOST_TEST(counts.total == 3u);
    BOOST_TEST(counts.online == 3u);
    BOOST_TEST(counts.hot == 1u);

    HostFilter hot;
    hot.min_cpu = 80;
    auto [hot_rows, hot_counts] = f.list(hot);
    BOOST_REQUIRE(hot_rows.size() == 1u);
    BOOST_TEST(hot_rows[0].host_id == "a-remote");
    BOOST_TEST(hot_counts.total == 3u);  // counts are the fleet's, whatever the filter
}

BOOST_AUTO_TEST_CASE(a_host_is_shown_once_online_wins) {
    Fixture f;
    f.connect("moved", 10, 1);
    f.local.on_disconnect("moved", 1);  // left this hub
    f.connect("here", 20, 2);
    f.peers.take(batch("C", {row("moved", 50), row("here", 99)}));
    auto [rows, counts] = f.list();
    BOOST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[0].host_id == "here");
    BOOST_TEST(rows[0].hub == "A");  // online here: this hub's row
    BOOST_TEST(rows[0].cpu == 20.0);
    BOOST_TEST(rows[1].host_id == "moved");
    BOOST_TEST(rows[1].hub == "C");  // offline here, online there
    BOOST_TEST(rows[1].online);
    BOOST_TEST(counts.total == 2u);
    BOOST_TEST(counts.online == 2u);
    BOOST_TEST(counts.offline == 0u);
}

BOOST_AUTO_TEST_CASE(a_silent_hub_shows_its_hosts_offline_then_none) {
    Fixture f;
    f.peers.take(batch("C", {row("c-1", 95)}));
    f.now += 3001;
    auto [rows, counts] = f.list();
    BOOST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(!rows[0].online);
    BOOST_TEST(!rows[0].hot);
    BOOST_TEST(counts.offline == 1u);
    BOOST_TEST(counts.hot == 0u);
    auto peers = f.peers.peers();
    BOOST_REQUIRE(peers.size() == 1u);
    BOOST_TEST(!peers[0].live);
    f.now += 60'000;
    BOOST_TEST(f.list().first.empty());
    BOOST_TEST(f.peers.peers().empty());
}

// A hub's messages list its online hosts only: one that left its list went
// offline there, and is shown offline here as that hub shows it, not dropped.
BOOST_AUTO_TEST_CASE(a_host_that_left_a_hub_s_list_is_shown_offline_until_forgotten) {
    Fixture f;
    f.peers.take(batch("C", {row("c-1", 95, true, 9000), row("c-2", 10, true, 9000)}));
    f.now += 1000;
    f.peers.take(batch("C", {row("c-2", 12, true, 10'000)}));
    auto [rows, counts] = f.list();
    BOOST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[0].host_id == "c-1");
    BOOST_TEST(rows[0].hub == "C");
    BOOST_TEST(!rows[0].online);
    BOOST_TEST(!rows[0].hot);
    BOOST_TEST(rows[0].last_seen_ms == 9000);
    BOOST_TEST(counts.total == 2u);
    BOOST_TEST(counts.offline == 1u);
    BOOST_TEST(counts.hot == 0u);
    BOOST_TEST(!f.peers.online_elsewhere("c-1"));
    BOOST_TEST(f.peers.holder("c-1").value_or("none") == "C");  // its page and history are asked of C

    // Back on another hub: online there wins; and C's list again: no longer gone.
    f.peers.take(batch("D", {row("c-1", 30, true, 11'000)}));
    auto moved = f.list().first;
    BOOST_REQUIRE(moved.size() == 2u);
    BOOST_TEST(moved[0].online);
    BOOST_TEST(moved[0].hub == "D");
    f.peers.take(batch("D", {}));
    f.peers.take(batch("C", {row("c-1", 40, true, 12'000), row("c-2", 12, true, 12'000)}));
    f.peers.take(batch("C", {row("c-1", 41, true, 13'000), row("c-2", 12, true, 13'000)}));
    auto back = f.list().first;
    BOOST_REQUIRE(back.size() == 2u);
    BOOST_TEST(back[0].online);
    BOOST_TEST(back[0].hub == "C");

    // Gone from every list: offline until --forget-after (60 s here) from when it was last seen.
    f.peers.take(batch("C", {row("c-2", 12, true, 14'000)}));
    f.now = 13'000 + 60'000;
    f.peers.take(batch("C", {row("c-2", 12, true, f.now)}));
    BOOST_TEST(f.list().first.size() == 2u);
    f.now += 1;
    f.peers.take(batch("C", {row("c-2", 12, true, f.now)}));
    auto forgotten = f.list().first;
    BOOST_REQUIRE(forgotten.size() == 1u);
    BOOST_TEST(forgotten[0].host_id == "c-2");
}

// A DELETE on any hub: every hub's offline rows of the host go at once; a
// hub that still lists it online keeps it, and says which hub it is on.
BOOST_AUTO_TEST_CASE(a_forgotten_host_loses_its_offline_rows_but_not_an_online_one) {
    Fixture f;
    f.peers.take(batch("C", {row("left-c", 10, true, 9000), row("stays", 10, true, 9000)}));
    f.peers.take(batch("D", {row("on-d", 10), row("silent-d", 10)}));
    f.peers.take(batch("C", {row("stays", 10, true, 10'000)}));  // left-c went offline on C
    BOOST_TEST(f.list().first.size() == 4u);

    BOOST_TEST(f.peers.forget("left-c"));
    BOOST_TEST(!f.peers.holder("left-c"));
    BOOST_TEST(!f.peers.forget("left-c"));  // nothing left of it
    BOOST_TEST(!f.peers.forget("nowhere"));

    BOOST_TEST(f.peers.online_on("on-d").value_or("") == "D");
    BOOST_TEST(!f.peers.forget("on-d"));  // connected there: kept
    BOOST_TEST(f.peers.holder("on-d").value_or("") == "D");

    // A hub silent past the grace shows its hosts offline, and they are forgotten as any offline row.
    f.now += 3001;
    f.peers.take(batch("C", {row("stays", 10, true, f.now)}));
    BOOST_TEST(!f.peers.online_on("silent-d"));
    BOOST_TEST(f.peers.forget("silent-d"));
    auto [rows, counts] = f.list();
    BOOST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[0].host_id == "on-d");
    BOOST_TEST(rows[1].host_id == "stays");
    BOOST_TEST(counts.total == 2u);
    // D's next message lists only what is online there: the forgotten host stays away, the other comes back.
    f.peers.take(batch("D", {row("on-d", 10, true, f.now)}));
    BOOST_TEST(f.peers.online_on("on-d").value_or("") == "D");
    BOOST_TEST(f.list().first.size() == 2u);
}

BOOST_AUTO_TEST_CASE(one_view_serves_every_filter_as_separate_merges_would) {
    Fixture f;
    f.connect("m-local", 10, 1);
    f.peers.take(batch("C", {row("a-remote", 90), row("z-remote", 5)}));
    HostFilter hot;
    hot.min_cpu = 80;
    auto view = f.peers.view(f.local);
    for (const auto& filter : {hot, HostFilter{}, hot}) {
        auto rows = f.local.summaries(filter);
        auto counts = f.local.counts();
        view->merge(rows, counts, filter);
        auto [alone, alone_counts] = f.list(filter);
        BOOST_REQUIRE(rows.size() == alone.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            BOOST_TEST(rows[i].host_id == alone[i].host_id);
            BOOST_TEST(rows[i].hub == alone[i].hub);
        }
        BOOST_TEST(counts.total == 3u);
        BOOST_TEST(counts.hot == alone_counts.hot);
    }
}

BOOST_AUTO_TEST_CASE(the_holder_of_a_host_is_the_hub_that_has_it_online_else_the_one_that_saw_it_last) {
    Fixture f;
    f.peers.take(batch("B", {row("moved", 10, false, 4000), row("only-b", 10)}));
    f.peers.take(batch("C", {row("moved", 10, true, 3000)}));
    BOOST_TEST(f.peers.holder("moved").value_or("") == "C");  // online there, though seen earlier
    BOOST_TEST(f.peers.holder("only-b").value_or("") == "B");
    BOOST_TEST(!f.peers.holder("nowhere"));
    f.peers.take(batch("C", {}));  // C let it go
    BOOST_TEST(f.peers.holder("moved").value_or("") == "B");
}

BOOST_AUTO_TEST_CASE(a_container_filter_matches_other_hubs_hosts_by_their_containers) {
    auto web = row("web-1", 10);
    web.container_names = {"frontend", "redis-cache"};
    auto db = row("db-1", 10);
    auto b = batch("C", {web, db});
    BOOST_REQUIRE(b.hosts.size() == 2u);
    BOOST_TEST(b.hosts[0].container_names == web.container_names, boost::test_tools::per_element());
    BOOST_TEST(b.hosts[1].container_names.empty());

    Fixture f;
    f.peers.take(std::move(b));
    HostFilter frontend;
    frontend.container = "frontend";
    auto [rows, counts] = f.list(frontend);
    BOOST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(rows[0].host_id == "web-1");
    BOOST_TEST(counts.total == 2u);
    frontend.container = "front";  // exact names only
    BOOST_TEST(f.list(frontend).first.empty());
}
