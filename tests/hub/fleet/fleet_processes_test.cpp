// The fleet processes aggregate: a sample replaces its host's share (never
// adds to it), a host that leaves takes its share with it, rows sort by CPU
// or sockets and stop at the limit; and after any sequence of samples and
// removals the running sums equal a recount of every host's latest sample.
#include "hub/fleet/fleet.hpp"

#define BOOST_TEST_MODULE fleet_processes
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace telehub;
using namespace telehub::hub;

namespace {

struct Proc {
    std::string name;
    double cpu = 0;
    std::uint32_t established = 0;  // sockets in by_process, all ESTABLISHED
    std::uint32_t udp = 0;
};

Sample sample_of(const std::string& host, std::int64_t second, const std::vector<Proc>& procs,
                 std::vector<std::string> leaks = {}) {
    Sample s;
    s.host_id = host;
    s.ts_ms = second * 1000;
    s.seq = static_cast<std::uint64_t>(second);
    int pid = 100;
    for (const Proc& p : procs) {
        TopProcess t;
        t.pid = ++pid;
        t.name = p.name;
        t.cpu = p.cpu;
        s.top.push_back(t);
        if (p.established || p.udp) {
            ProcessSockets ps;
            ps.pid = pid;
            ps.name = p.name;
            ps.tcp[tcp_established] = p.established;
            ps.udp = p.udp;
            ps.total = p.established + p.udp;
            s.sockets.by_process.push_back(ps);
        }
    }
    for (auto& name : leaks) {
        LeakSuspect l;
        l.name = name;
        l.reason = "growth";
        s.leaks.push_back(l);
    }
    return s;
}

const FleetProcess* row(const std::vector<FleetProcess>& rows, const std::string& name) {
    for (const auto& r : rows)
        if (r.name == name) return &r;
    return nullptr;
}

std::vector<FleetProcess> all(const FleetProcesses& f, FleetSort sort = FleetSort::cpu) { return f.top(sort, 1000); }

}  // namespace

BOOST_AUTO_TEST_CASE(names_are_grouped_across_hosts) {
    FleetProcesses f;
    f.on_sample("web-1.example", sample_of("web-1", 1, {{"nginx", 40, 10}, {"nginx", 20, 5}, {"sshd", 1}}));
    f.on_sample("web-2.example", sample_of("web-2", 1, {{"nginx", 70, 3, 2}, {"java", 150}}, {"nginx"}));
    auto rows = all(f);
    BOOST_TEST(f.host_count() == 2u);
    BOOST_TEST(f.name_count() == 3u);
    const auto* nginx = row(rows, "nginx");
    BOOST_TEST_REQUIRE(nginx);
    BOOST_TEST(nginx->hosts == 2u);
    BOOST_TEST(nginx->processes == 3u);
    BOOST_TEST(nginx->cpu_total == 130.0);
    BOOST_TEST(nginx->cpu_max == 70.0);
    BOOST_TEST(nginx->sockets == 20u);
    BOOST_TEST(nginx->tcp[tcp_established] == 18u);
    BOOST_TEST(nginx->udp == 2u);
    BOOST_TEST(nginx->leak_host_count == 1u);
    BOOST_TEST(nginx->leak_hosts == std::vector<std::string>{"web-2"});
    BOOST_TEST_REQUIRE(nginx->host_list.size() == 2u);
    BOOST_TEST(nginx->host_list[0].host_id == "web-2");  // the busier host first
    BOOST_TEST(nginx->host_list[0].hostname == "web-2.example");
    BOOST_TEST(nginx->host_list[0].leak);
    BOOST_TEST(nginx->host_list[1].cpu == 60.0);
    BOOST_TEST(nginx->host_list[1].cpu_max == 40.0);
    BOOST_TEST(nginx->host_list[1].processes == 2u);
    BOOST_TEST(nginx->host_list[1].sockets == 15u);
    BOOST_TEST(row(rows, "java")->hosts == 1u);
}

BOOST_AUTO_TEST_CASE(a_new_sample_replaces_the_hosts_share) {
    FleetProcesses f;
    f.on_sample("a", sample_of("a", 1, {{"nginx", 40, 10}, {"cron", 5}}));
    f.on_sample("b", sample_of("b", 1, {{"nginx", 10}}));
    f.on_sample("a", sample_of("a", 2, {{"nginx", 25, 4}, {"gzip", 90}}));
    auto rows = all(f);
    const auto* nginx = row(rows, "nginx");
    BOOST_TEST_REQUIRE(nginx);
    BOOST_TEST(nginx->cpu_total == 35.0);  // 25 + 10, not 40 + 25 + 10
    BOOST_TEST(nginx->cpu_max == 25.0);
    BOOST_TEST(nginx->sockets == 4u);
    BOOST_TEST(nginx->hosts == 2u);
    // cron left host a's list and no other host has it: the row goes.
    BOOST_TEST(!row(rows, "cron"));
    BOOST_TEST(row(rows, "gzip")->cpu_total == 90.0);
    BOOST_TEST(f.name_count() == 2u);
}

BOOST_AUTO_TEST_CASE(backfilled_and_older_samples_are_not_the_present) {
    FleetProcesses f;
    f.on_sample("a", sample_of("a", 10, {{"nginx", 40}}));
    f.on_sample("a", sample_of("a", 9, {{"nginx", 99}}));
    auto replayed = sample_of("a", 11, {{"old-job", 80}});
    replayed.backfill = true;
    f.on_sample("a", replayed);
    auto rows = all(f);
    BOOST_TEST(row(rows, "nginx")->cpu_total == 40.0);
    BOOST_TEST(!row(rows, "old-job"));
}

BOOST_AUTO_TEST_CASE(a_removed_host_takes_its_share_with_it) {
    FleetProcesses f;
    f.on_sample("a", sample_of("a", 1, {{"nginx", 40, 10}, {"only-on-a", 5}}, {"nginx"}));
    f.on_sample("b", sample_of("b", 1, {{"nginx", 10, 1}}));
    f.remove("a");
    f.remove("never-seen");  // nothing to do, nothing broken
    auto rows = all(f);
    BOOST_TEST(f.host_count() == 1u);
    BOOST_TEST(!row(rows, "only-on-a"));
    const auto* nginx = row(rows, "nginx");
    BOOST_TEST_REQUIRE(nginx);
    BOOST_TEST(nginx->hosts == 1u);
    BOOST_TEST(nginx->cpu_total == 10.0);
    BOOST_TEST(nginx->sockets == 1u);
    BOOST_TEST(nginx->leak_host_count == 0u);
    BOOST_TEST(nginx->leak_hosts.empty());
    // Back again: counted once, from its new sample.
    f.on_sample("a", sample_of("a", 2, {{"nginx", 30}}));
    BOOST_TEST(row(all(f), "nginx")->cpu_total == 40.0);
    f.remove("a");
    f.remove("b");
    BOOST_TEST(all(f).empty());
    BOOST_TEST(f.name_count() == 0u);
}

BOOST_AUTO_TEST_CASE(rows_sort_by_cpu_or_sockets_and_stop_at_the_limit) {
    FleetProcesses f;
    f.on_sample("a", sample_of("a", 1, {{"hot", 300, 1}, {"chatty", 5, 900}, {"mid", 50, 50}, {"tie-b", 7}, {"tie-a", 7}}));
    auto by_cpu = f.top(FleetSort::cpu, 3);
    BOOST_TEST_REQUIRE(by_cpu.size() == 3u);
    BOOST_TEST(by_cpu[0].name == "hot");
    BOOST_TEST(by_cpu[1].name == "mid");
    BOOST_TEST(by_cpu[2].name == "tie-a");  // equal figures: by name
    auto by_sockets = f.top(FleetSort::sockets, 2);
    BOOST_TEST_REQUIRE(by_sockets.size() == 2u);
    BOOST_TEST(by_sockets[0].name == "chatty");
    BOOST_TEST(by_sockets[1].name == "mid");
    BOOST_TEST(f.top(FleetSort::cpu, 100).size() == 5u);
}

BOOST_AUTO_TEST_CASE(a_rows_host_list_is_capped_and_ordered_by_the_sort) {
    FleetProcesses f;
    const std::size_t hosts = FleetProcesses::host_list_size + 7;
    for (std::size_t i = 0; i < hosts; ++i) {
        const auto id = "h" + std::to_string(100 + i);
        // CPU rises with i, sockets fall with it.
        f.on_sample(id, sample_of(id, 1, {{"agent", double(i), std::uint32_t(hosts - i)}}, {"agent"}));
    }
    auto cpu = f.top(FleetSort::cpu, 1).at(0);
    BOOST_TEST(cpu.hosts == hosts);
    BOOST_TEST(cpu.leak_host_count == hosts);
    BOOST_TEST(cpu.leak_hosts.size() == FleetProcesses::host_list_size);
    BOOST_TEST(cpu.leak_hosts.front() == "h100");
    BOOST_TEST_REQUIRE(cpu.host_list.size() == FleetProcesses::host_list_size);
    BOOST_TEST(cpu.host_list.front().host_id == "h" + std::to_string(100 + hosts - 1));
    auto sockets = f.top(FleetSort::sockets, 1).at(0);
    BOOST_TEST(sockets.host_list.front().host_id == "h100");
}

// Many hosts with few distinct figures (so most of them tie), in random
// order: the capped list is the first host_list_size of all hosts sorted by
// the sort's figure, then the other figure, then host id.
BOOST_AUTO_TEST_CASE(a_capped_host_list_is_the_head_of_the_full_order) {
    FleetProcesses f;
    std::mt19937 rng(22);
    struct Figures {
        std::string id;
        double cpu;
        std::uint32_t sockets;
    };
    std::vector<Figures> all_hosts;
    for (int i = 0; i < 300; ++i) {
        all_hosts.push_back({"h" + std::to_string(rng() % 100000), double(rng() % 4) * 10, std::uint32_t(rng() % 3)});
        const auto& h = all_hosts.back();
        f.on_sample(h.id, sample_of(h.id, i + 1, {{"agent", h.cpu, h.sockets}}));
    }
    // A host id drawn twice keeps its last sample only.
    std::map<std::string, Figures> latest;
    for (const auto& h : all_hosts) latest[h.id] = h;
    for (FleetSort sort : {FleetSort::cpu, FleetSort::sockets}) {
        std::vector<Figures> want;
        for (const auto& [id, h] : latest) want.push_back(h);
        std::sort(want.begin(), want.end(), [sort](const Figures& a, const Figures& b) {
            const auto fa = sort == FleetSort::cpu ? std::pair{a.cpu, double(a.sockets)} : std::pair{double(a.sockets), a.cpu};
            const auto fb = sort == FleetSort::cpu ? std::pair{b.cpu, double(b.sockets)} : std::pair{double(b.sockets), b.cpu};
            return fa != fb ? fa > fb : a.id < b.id;
        });
        const auto r = f.top(sort, 1).at(0);
        BOOST_TEST_REQUIRE(r.host_list.size() == FleetProcesses::host_list_size);
        for (std::size_t i = 0; i < FleetProcesses::host_list_size; ++i)
            BOOST_TEST(r.host_list[i].host_id == want[i].id, "sort " << int(sort) << " place " << i);
    }
}

// Random samples and removals over a few hosts and names, checked after every
// step against a recount of each present host's latest sample.
BOOST_AUTO_TEST_CASE(the_running_sums_equal_a_recount) {
    FleetProcesses f;
    std::mt19937 rng(21);
    const std::vector<std::string> names = {"nginx", "java", "sshd", "cron", "redis", "gzip"};
    std::map<std::string, Sample> latest;
    for (int step = 1; step <= 2000; ++step) {
        const std::string host = "h" + std::to_string(rng() % 6);
        if (rng() % 10 == 0) {
            f.remove(host);
            latest.erase(host);
        } else {
            std::vector<Proc> procs;
            std::vector<std::string> leaks;
            for (std::size_t n = rng() % 5; n > 0; --n)
                procs.push_back({names[rng() % names.size()], double(rng() % 20000) / 100, std::uint32_t(rng() % 50),
                                 std::uint32_t(rng() % 3)});
            if (rng() % 4 == 0) leaks.push_back(names[rng() % names.size()]);
            auto s = sample_of(host, step, procs, leaks);
            f.on_sample(host, s);
            latest[host] = std::move(s);
        }
        std::map<std::string, FleetProcess> want;
        for (const auto& [id, s] : latest) {
            std::map<std::string, bool> seen;
            for (const auto& p : s.top) {
                auto& w = want[p.name];
                w.cpu_total += p.cpu;
                w.cpu_max = std::max(w.cpu_max, p.cpu);
                ++w.processes;
                seen[p.name];
            }
            for (const auto& p : s.sockets.by_process) {
                want[p.name].sockets += p.total;
                want[p.name].udp += p.udp;
                seen[p.name];
            }
            for (const auto& l : s.leaks) seen[l.name] = true;
            for (const auto& [name, leak] : seen) {
                auto& w = want[name];
                ++w.hosts;
                w.leak_host_count += leak;
                // Hosts come in id order here, as the row lists leak hosts.
                if (leak) w.leak_hosts.push_back(id);
                w.host_list.push_back({id});
            }
        }
        auto rows = all(f);
        BOOST_TEST_REQUIRE(rows.size() == want.size(), "step " << step);
        for (const auto& r : rows) {
            const auto& w = want.at(r.name);
            BOOST_TEST_REQUIRE(r.hosts == w.hosts, "step " << step << " " << r.name);
            BOOST_TEST_REQUIRE(r.processes == w.processes, "step " << step << " " << r.name);
            BOOST_TEST_REQUIRE(std::abs(r.cpu_total - w.cpu_total) < 1e-6, "step " << step << " " << r.name);
            BOOST_TEST_REQUIRE(r.cpu_max == w.cpu_max, "step " << step << " " << r.name);
            BOOST_TEST_REQUIRE(r.sockets == w.sockets, "step " << step << " " << r.name);
            BOOST_TEST_REQUIRE(r.udp == w.udp, "step " << step << " " << r.name);
            BOOST_TEST_REQUIRE(r.leak_host_count == w.leak_host_count, "step " << step << " " << r.name);
            BOOST_TEST_REQUIRE(r.leak_hosts == w.leak_hosts, "step " << step << " " << r.name);
            // At most 6 hosts, under the list's cap: every host listing the name is in it.
            std::vector<std::string> listed;
            for (const auto& h : r.host_list) listed.push_back(h.host_id);
            std::sort(listed.begin(), listed.end());
            std::vector<std::string> expected;
            for (const auto& h : w.host_list) expected.push_back(h.host_id);
            BOOST_TEST_REQUIRE(listed == expected, "step " << step << " " << r.name);
        }
        BOOST_TEST_REQUIRE(f.host_count() == latest.size());
    }
}

// A session's handle skips the lookup of its host id; once the host is
// removed and its slot given to another host, the old handle must not write
// into that host's share.
BOOST_AUTO_TEST_CASE(a_stale_handle_finds_its_host_again) {
    FleetProcesses f;
    FleetHandle a;
    f.on_sample("a", sample_of("a", 1, {{"nginx", 40}}), &a);
    BOOST_TEST(a.slot != UINT32_MAX);
    f.on_sample("a", sample_of("a", 2, {{"nginx", 30}}), &a);
    BOOST_TEST(row(all(f), "nginx")->cpu_total == 30.0);

    f.remove("a");
    FleetHandle b;
    f.on_sample("b", sample_of("b", 3, {{"nginx", 10}}), &b);
    BOOST_TEST(b.slot == a.slot);  // the freed slot is reused...
    BOOST_TEST(b.generation != a.generation);  // ...under a new generation

    // Host a comes back through its old handle: a slot of its own, b untouched.
    f.on_sample("a", sample_of("a", 4, {{"nginx", 20}}), &a);
    BOOST_TEST(a.slot != b.slot);
    BOOST_TEST(f.host_count() == 2u);
    const auto rows = all(f);
    const auto* nginx = row(rows, "nginx");
    BOOST_TEST_REQUIRE(nginx);
    BOOST_TEST(nginx->hosts == 2u);
    BOOST_TEST(nginx->cpu_total == 30.0);
    f.remove("b");
    BOOST_TEST(row(all(f), "nginx")->cpu_total == 20.0);
}
