#include "hub/store/history_store.hpp"

#define BOOST_TEST_MODULE history_store
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "tests/support/temp_dir.hpp"

using namespace telehub::hub;

namespace {

constexpr std::int64_t now = 1'763'800'000'000;

// A batch of `n` one-second points ending at `end_ts`, seqs ending at `last_seq`.
SaveBatch batch(const std::string& host, std::int64_t instance, std::uint64_t last_seq, std::size_t n, std::int64_t end_ts,
                std::int64_t seen = now) {
    SaveBatch b;
    b.meta = {host, host + ".example", 4, 1000, instance, last_seq, seen};
    b.points.base_ts_ms = end_ts - 86'400'000;
    b.points.names = {"nginx"};
    for (std::size_t i = 0; i < n; ++i) {
        HistoryPoint p;
        p.seq = static_cast<std::uint32_t>(last_seq - n + 1 + i);
        p.ts_offset_ms = static_cast<std::uint32_t>(end_ts - static_cast<std::int64_t>((n - 1 - i) * 1000) - b.points.base_ts_ms);
        p.cpu_tenths = static_cast<std::uint16_t>(100 + i);
        b.points.points.push_back(p);
    }
    return b;
}

std::vector<LoadedHost> load_all(HistoryStore& s, std::int64_t at = now) {
    std::vector<LoadedHost> out;
    s.load(at, [&](LoadedHost&& h) { out.push_back(std::move(h)); });
    return out;
}

struct Dir {
    telehub::test::TempDir dir{"telehub-store"};
    std::string db() const { return (dir.path / "history.db").string(); }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(batches_come_back_after_a_reopen_grouped_by_instance, Dir) {
    {
        HistoryStore s({.path = db()});
        s.start([] { return now; });
        s.save(batch("a", 1, 64, 64, now - 200'000));
        s.save(batch("a", 2, 10, 10, now - 1000));  // the agent restarted: seq from 1 again
        s.save(batch("b", 7, 3, 3, now - 1000));
        s.stop();
        BOOST_TEST(s.counters().points_written == 77u);
        BOOST_TEST(s.counters().write_errors == 0u);
    }
    HistoryStore s({.path = db()});
    auto hosts = load_all(s);
    BOOST_REQUIRE(hosts.size() == 2u);
    const auto& a = hosts[0].meta.host_id == "a" ? hosts[0] : hosts[1];
    BOOST_TEST(a.meta.instance == 2);
    BOOST_TEST(a.meta.last_seq == 10u);
    BOOST_TEST(a.meta.hostname == "a.example");
    BOOST_REQUIRE(a.runs.size() == 2u);
    BOOST_TEST(a.runs[0].instance == 1);
    BOOST_TEST(a.runs[0].entries.size() == 64u);
    BOOST_TEST(a.runs[0].entries.front().seq == 1u);
    BOOST_TEST(a.runs[0].entries.front().top_name == "nginx");
    BOOST_TEST(a.runs[0].entries.front().cpu == 10.0);
    BOOST_TEST(a.runs[1].entries.back().seq == 10u);
    BOOST_TEST(a.runs[1].entries.back().ts_ms == now - 1000);
}

BOOST_FIXTURE_TEST_CASE(forget_removes_a_host_and_its_rows, Dir) {
    {
        HistoryStore s({.path = db()});
        s.start([] { return now; });
        s.save(batch("a", 1, 64, 64, now - 1000));
        s.save(batch("b", 1, 64, 64, now - 1000));
        s.flush();
        BOOST_TEST(!s.minutes("a", now - 3'600'000, now).empty());
        s.forget("a");
        s.flush();
        BOOST_TEST(s.minutes("a", now - 3'600'000, now).empty());
    }
    HistoryStore s({.path = db()});
    auto hosts = load_all(s);
    BOOST_REQUIRE(hosts.size() == 1u);
    BOOST_TEST(hosts[0].meta.host_id == "b");
}

BOOST_FIXTURE_TEST_CASE(old_points_leave_the_full_tier_but_stay_in_the_minute_tier, Dir) {
    {
        HistoryStore s({.path = db(), .keep_full_ms = 3'600'000});
        s.start([] { return now; });
        s.save(batch("a", 1, 120, 120, now - 2 * 3'600'000));  // two hours ago: two minutes of points
        s.save(batch("a", 1, 180, 60, now - 1000));
        s.stop();
    }
    HistoryStore s({.path = db(), .keep_full_ms = 3'600'000});
    auto hosts = load_all(s);
    BOOST_REQUIRE(hosts.size() == 1u);
    BOOST_REQUIRE(hosts[0].runs.size() == 1u);
    BOOST_TEST(hosts[0].runs[0].entries.size() == 60u);  // only the last hour at full resolution
    auto rows = s.minutes("a", now - 3 * 3'600'000, now - 3'600'000);
    std::uint32_t count = 0;
    for (const auto& r : rows) count += r.count;
    BOOST_TEST(count == 120u);
    BOOST_TEST(rows.front().min.cpu_tenths >= 100);
}

BOOST_FIXTURE_TEST_CASE(hosts_not_seen_for_forget_after_are_dropped_at_load, Dir) {
    {
        HistoryStore s({.path = db()});
        s.start([] { return now; });
        s.save(batch("stale", 1, 64, 64, now - 1000, now - 9 * 86'400'000LL));
        s.save(batch("fresh", 1, 64, 64, now - 1000));
        s.stop();
    }
    HistoryStore s({.path = db(), .forget_after_ms = 7 * 86'400'000LL});
    auto hosts = load_all(s);
    BOOST_REQUIRE(hosts.size() == 1u);
    BOOST_TEST(hosts[0].meta.host_id == "fresh");
    BOOST_TEST(s.minutes("stale", 0, now).empty());
}

BOOST_FIXTURE_TEST_CASE(an_unusable_path_is_a_start_up_error_naming_it, Dir) {
    auto bad = (dir.path / "no" / "such" / "dir" / "history.db").string();
    BOOST_CHECK_EXCEPTION(HistoryStore({.path = bad}), std::runtime_error, [&](const std::runtime_error& e) {
        return std::string(e.what()).find(bad) != std::string::npos;
    });
}
