// The registry's side of persistence and bounds: batches for the store, a
// host restored from it, forgetting, --max-hosts, and gaps after a restart.
#include "hub/state/host_registry.hpp"

#define BOOST_TEST_MODULE host_registry_persist
#include <boost/test/unit_test.hpp>

#include <memory>

using namespace telehub;
using namespace telehub::hub;

namespace {

struct Fixture {
    std::int64_t now = 1'763'800'000'000;
    RegistryOptions options{.history_points = 100, .high_cpu = 80, .save_batch_points = 4, .max_hosts = 3,
                            .little_history_points = 10};
    HostRegistry reg{options, [this] { return now; }};

    static Hello hello(std::string id, std::int64_t instance = 111) {
        Hello h;
        h.protocol = 1;
        h.host_id = std::move(id);
        h.hostname = h.host_id + ".example";
        h.cores = 2;
        h.interval_ms = 1000;
        h.instance = instance;
        return h;
    }

    static Sample sample(std::string id, std::uint64_t seq, double cpu = 10) {
        Sample s;
        s.host_id = std::move(id);
        s.seq = seq;
        s.ts_ms = 1'763'000'000'000 + static_cast<std::int64_t>(seq) * 1000;
        s.interval_ms = 1000;
        s.cpu.total = cpu;
        TopProcess p;
        p.name = "busy";
        s.top.push_back(p);
        return s;
    }

    SampleOutcome feed(const Sample& s, std::uint64_t conn = 1) {
        return reg.on_sample(s, std::make_shared<const std::string>("raw"), conn);
    }
};

std::vector<std::uint32_t> seqs(const PointBatch& b) {
    std::vector<std::uint32_t> out;
    for (const auto& p : b.points) out.push_back(p.seq);
    return out;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(points_leave_in_batches_with_the_hosts_last_seq, Fixture) {
    reg.on_hello(hello("a"), 1);
    for (std::uint64_t s = 1; s <= 3; ++s) BOOST_TEST(!feed(sample("a", s)).batch.has_value());
    auto out = feed(sample("a", 4));
    BOOST_REQUIRE(out.batch.has_value());
    BOOST_TEST(seqs(out.batch->points) == (std::vector<std::uint32_t>{1, 2, 3, 4}), boost::test_tools::per_element());
    BOOST_TEST(out.batch->meta.last_seq == 4u);
    BOOST_TEST(out.batch->meta.instance == 111);
    BOOST_TEST(out.batch->points.names == std::vector<std::string>{"busy"}, boost::test_tools::per_element());
    feed(sample("a", 5));
    auto rest = reg.take_all_unsaved();
    BOOST_REQUIRE(rest.size() == 1u);
    BOOST_TEST(seqs(rest[0].points) == std::vector<std::uint32_t>{5}, boost::test_tools::per_element());
    BOOST_TEST(reg.take_all_unsaved().empty());
}

BOOST_FIXTURE_TEST_CASE(a_new_instance_saves_the_old_ones_points_under_the_old_id, Fixture) {
    reg.on_hello(hello("a", 111), 1);
    feed(sample("a", 1));
    feed(sample("a", 2));
    auto h = reg.on_hello(hello("a", 222), 2);
    BOOST_REQUIRE(h.batch.has_value());
    BOOST_TEST(h.batch->meta.instance == 111);
    BOOST_TEST(seqs(h.batch->points) == (std::vector<std::uint32_t>{1, 2}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(a_restored_host_welcomes_its_agent_at_the_stored_seq, Fixture) {
    LoadedHost l;
    l.meta = {"a", "a.example", 2, 1000, 111, 3, now - 5000};
    l.runs.push_back({111, {}});
    for (std::uint64_t s = 1; s <= 3; ++s) {
        HistoryEntry e;
        e.seq = s;
        e.ts_ms = 1'763'000'000'000 + static_cast<std::int64_t>(s) * 1000;
        e.cpu = 20;
        l.runs.back().entries.push_back(e);
    }
    reg.restore(std::move(l));
    BOOST_TEST(reg.take_all_unsaved().empty());  // what came from the store is not written again
    BOOST_TEST(!reg.summaries({}).at(0).online);
    BOOST_TEST(reg.history("a", 0)->columns.seq.size() == 3u);
    BOOST_TEST(reg.on_hello(hello("a", 111), 1).last_seq == 3u);
    auto out = feed(sample("a", 4));
    BOOST_TEST(out.gaps_added == 0u);
    BOOST_TEST(reg.history("a", 0)->columns.seq == (std::vector<std::uint64_t>{1, 2, 3, 4}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(no_gaps_are_counted_before_a_seq_the_hub_held, Fixture) {
    reg.on_hello(hello("a"), 1);
    BOOST_TEST(feed(sample("a", 700)).gaps_added == 0u);  // a hub that knew nothing of seqs 1..699
    BOOST_TEST(feed(sample("a", 703)).gaps_added == 2u);
}

BOOST_FIXTURE_TEST_CASE(forget_refuses_a_connected_host_and_removes_an_offline_one, Fixture) {
    reg.on_hello(hello("a"), 1);
    feed(sample("a", 1));
    BOOST_TEST((reg.forget("a") == ForgetResult::online));
    BOOST_TEST((reg.forget("nope") == ForgetResult::unknown));
    reg.on_disconnect("a", 1);
    BOOST_TEST((reg.forget("a") == ForgetResult::forgotten));
    BOOST_TEST(reg.host_count() == 0u);
    BOOST_TEST(!reg.history("a", 0).has_value());
    BOOST_TEST(reg.summaries({}).empty());
}

BOOST_FIXTURE_TEST_CASE(forget_idle_takes_only_offline_hosts_not_seen_since_the_cutoff, Fixture) {
    reg.on_hello(hello("old"), 1);
    reg.on_disconnect("old", 1);
    now += 10'000;
    reg.on_hello(hello("connected"), 2);
    reg.on_hello(hello("recent"), 3);
    reg.on_disconnect("recent", 3);
    now += 10'000;
    BOOST_TEST(reg.forget_idle(now - 15'000) == std::vector<std::string>{"old"}, boost::test_tools::per_element());
    BOOST_TEST(reg.host_count() == 2u);
    now += 100'000;
    BOOST_TEST(reg.forget_idle(now) == std::vector<std::string>{"recent"}, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(max_hosts_forgets_offline_hosts_with_little_history_then_refuses, Fixture) {
    // "real": offline but with more history than little_history_points; "ghost": one point.
    reg.on_hello(hello("real"), 1);
    for (std::uint64_t s = 1; s <= 20; ++s) feed(sample("real", s), 1);
    reg.on_disconnect("real", 1);
    reg.on_hello(hello("ghost"), 2);
    feed(sample("ghost", 1), 2);
    reg.on_disconnect("ghost", 2);
    reg.on_hello(hello("live"), 3);
    auto h = reg.on_hello(hello("new-1"), 4);
    BOOST_TEST(!h.refused);
    BOOST_TEST(h.evicted == std::vector<std::string>{"ghost"}, boost::test_tools::per_element());
    BOOST_TEST(reg.host_count() == 3u);
    // Full of a real offline host, a connected one and new-1 (connected): no room.
    auto refused = reg.on_hello(hello("new-2"), 5);
    BOOST_TEST(refused.refused);
    BOOST_TEST(refused.evicted.empty());
    BOOST_TEST(reg.host_count() == 3u);
    BOOST_TEST(!reg.detail("new-2").has_value());
    // A known host always gets back in.
    BOOST_TEST(!reg.on_hello(hello("real"), 6).refused);
}
