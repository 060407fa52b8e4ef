#include "agent/collect/sockets/socket_churn.hpp"

#define BOOST_TEST_MODULE socket_churn
#include <boost/test/unit_test.hpp>

#include "agent/collect/sockets/socket_collector.hpp"
#include "telehub/tcp_state.hpp"
#include "tests/support/fake_proc_tree.hpp"

// The churn collector over a /proc tree the test builds and changes between
// ticks: the recorded socket tables of tests/data/net (read through the
// /proc/net fallback) plus /proc/PID/fd symlinks "socket:[INODE]" made here.
// A new socket is, as on a real host, a new inode in a table and an fd link
// to it; a closed one leaves both.
//
// Recorded inodes: tcp 5001 LISTEN, 5002 and 5003 ESTABLISHED; tcp6 6001
// LISTEN, 6002 CLOSE_WAIT; udp 7001, 7002; unix 8001..8004; raw 9001.

using namespace telehub;
using namespace telehub::agent;

namespace {

// Every new socket in these tests talks to 127.0.0.1:8080.
std::string inet_line(int state, std::uint16_t lport, std::uint64_t inode) {
    return test::inet_line(state, lport, 8080, inode);
}

ProcessEntry proc(int pid, const char* name, std::uint64_t starttime = 1000) {
    ProcessEntry e;
    e.pid = pid;
    e.starttime = starttime;
    e.uid = 1000;
    e.name = name;
    return e;
}

struct Scenario {
    test::FakeProcTree tree{TELEHUB_TEST_DATA "/net/proc/net"};
    ProcessList procs{proc(100, "server"), proc(200, "client")};
    SocketCollector sockets{tree.root(), false};
    SocketChurnCollector churn;
    HostSockets host;
    std::vector<LeakSuspect> leaks;

    explicit Scenario(LeakOptions leak = {}) : churn(leak) {
        tree.socket(100, 3, 5001);
        tree.socket(100, 4, 5002);
        tree.socket(100, 5, 8001);
        tree.socket(200, 3, 5003);
        tree.socket(200, 4, 7002);
    }
    void tick(std::int64_t now_ms, std::size_t top_k = 10) {
        BOOST_REQUIRE_MESSAGE(sockets.collect(procs, top_k, host), sockets.error());
        churn.update(now_ms, procs, sockets);
        churn.fill(top_k, host, leaks);
    }
    const ProcessChurnRecord& record(int pid) const {
        auto it = churn.processes().find(pid);
        BOOST_REQUIRE_MESSAGE(it != churn.processes().end(), "no churn record for pid " << pid);
        return it->second;
    }
};

bool same(const FamilyCounts& c, std::uint32_t tcp, std::uint32_t udp, std::uint32_t unix_, std::uint32_t other) {
    return c.tcp == tcp && c.udp == udp && c.unix_ == unix_ && c.other == other;
}

std::string show(const FamilyCounts& c) {
    return "tcp " + std::to_string(c.tcp) + " udp " + std::to_string(c.udp) + " unix " + std::to_string(c.unix_) +
           " other " + std::to_string(c.other);
}

}  // namespace

BOOST_AUTO_TEST_CASE(first_tick_is_the_baseline) {
    Scenario s;
    s.tick(0);
    BOOST_TEST(s.churn.opened() == 0u);
    BOOST_TEST(s.churn.closed() == 0u);
    const auto& server = s.record(100);
    BOOST_TEST(same(server.open, 2, 0, 1, 0), show(server.open));
    BOOST_TEST(same(server.opened, 0, 0, 0, 0), show(server.opened));
    BOOST_TEST(server.opened_total.total() == 0u);
    BOOST_TEST(server.name == "server");
    BOOST_TEST(same(s.record(200).open, 1, 1, 0, 0), show(s.record(200).open));
    BOOST_TEST(s.host.churn.opened == 0u);
    BOOST_TEST(s.host.churn_by_process.empty());  // nothing opened or closed yet
}

BOOST_AUTO_TEST_CASE(opened_and_closed_by_family_then_pid_reuse_and_exit) {
    Scenario s;
    s.tick(0);

    // Interval 1: the server opens a TCP, a UDP and a unix socket; the client
    // closes its UDP socket and opens a socket no table lists (netlink, say),
    // which waits a tick before it counts; a process new since the baseline
    // holds a unix socket.
    s.tree.add_line("tcp", inet_line(tcp_established, 40001, 5004));
    s.tree.socket(100, 6, 5004);
    s.tree.add_line("udp", inet_line(1, 40002, 7003));
    s.tree.socket(100, 7, 7003);
    s.tree.add_line("unix", test::unix_line(8005));
    s.tree.socket(100, 8, 8005);
    s.tree.drop_inode("udp", 7002);
    s.tree.close(200, 4);
    s.tree.socket(200, 5, 424242);
    s.tree.socket(300, 3, 8003);
    s.procs.push_back(proc(300, "newcomer"));
    s.tick(1000);

    const auto& server = s.record(100);
    BOOST_TEST(same(server.opened, 1, 1, 1, 0), show(server.opened));
    BOOST_TEST(same(server.closed, 0, 0, 0, 0), show(server.closed));
    BOOST_TEST(same(server.open, 3, 1, 2, 0), show(server.open));
    const auto& client = s.record(200);
    BOOST_TEST(same(client.opened, 0, 0, 0, 0), show(client.opened));
    BOOST_TEST(same(client.closed, 0, 1, 0, 0), show(client.closed));
    BOOST_TEST(same(client.open, 1, 0, 0, 0), show(client.open));
    // New after the baseline: what it holds was opened in this interval.
    BOOST_TEST(same(s.record(300).opened, 0, 0, 1, 0), show(s.record(300).opened));
    BOOST_TEST(s.churn.opened() == 4u);
    BOOST_TEST(s.churn.closed() == 1u);
    BOOST_TEST(s.host.churn.opened == 4u);
    BOOST_TEST(s.host.churn.closed == 1u);

    // Busiest first: server 3, then client and newcomer 1 each, by pid.
    BOOST_REQUIRE_EQUAL(s.host.churn_by_process.size(), 3u);
    BOOST_TEST(s.host.churn_by_process[0].pid == 100);
    BOOST_TEST(s.host.churn_by_process[0].name == "server");
    BOOST_TEST(s.host.churn_by_process[0].opened_total == 3u);
    BOOST_TEST(s.host.churn_by_process[1].pid == 200);
    BOOST_TEST(s.host.churn_by_process[2].pid == 300);
    s.churn.fill(1, s.host, s.leaks);
    BOOST_REQUIRE_EQUAL(s.host.churn_by_process.size(), 1u);
    BOOST_TEST(s.host.churn_by_process[0].pid == 100);

    // Interval 2: pid 200 is a new process (new starttime) holding one unix
    // socket; the server exits; the newcomer does nothing.
    s.tree.remove_pid(200);
    s.tree.socket(200, 3, 8002);
    s.procs[1] = proc(200, "reborn", 5000);
    s.tree.remove_pid(100);
    s.procs.erase(s.procs.begin());
    s.tick(2000);

    const auto& reborn = s.record(200);
    BOOST_TEST(reborn.name == "reborn");
    BOOST_TEST(reborn.starttime == 5000u);
    BOOST_TEST(same(reborn.opened, 0, 0, 1, 0), show(reborn.opened));
    // A fresh history: nothing of the old client's totals carries over.
    BOOST_TEST(same(reborn.opened_total, 0, 0, 1, 0), show(reborn.opened_total));
    BOOST_TEST(reborn.closed_total.total() == 0u);
    BOOST_TEST(s.churn.processes().count(100) == 0u);
    BOOST_TEST(same(s.record(300).opened, 0, 0, 0, 0), show(s.record(300).opened));
    BOOST_TEST(s.record(300).opened_total.total() == 1u);
    // Closed with their processes: the old client's 5003 (424242 was never
    // counted as opened, so it is not counted as closed) and the server's six.
    BOOST_TEST(s.churn.opened() == 1u);
    BOOST_TEST(s.churn.closed() == 7u);
}

BOOST_AUTO_TEST_CASE(a_socket_in_no_table_is_classified_a_tick_later) {
    Scenario s;
    s.tree.socket(100, 9, 424240);  // at the baseline: held, "other", not opened
    s.tick(0);
    BOOST_TEST(same(s.record(100).open, 2, 0, 1, 1), show(s.record(100).open));

    // Two new fds whose inodes no table lists yet: one is a netlink socket,
    // which no table ever lists; the other a TCP socket created after the
    // agent read the tables and before it read the fds.
    s.tree.socket(100, 10, 424241);
    s.tree.socket(100, 11, 5010);
    s.tick(1000);
    BOOST_TEST(same(s.record(100).opened, 0, 0, 0, 0), show(s.record(100).opened));
    BOOST_TEST(same(s.record(100).open, 2, 0, 1, 1), show(s.record(100).open));

    s.tree.add_line("tcp", inet_line(tcp_established, 40010, 5010));
    s.tick(2000);
    BOOST_TEST(same(s.record(100).opened, 1, 0, 0, 1), show(s.record(100).opened));
    BOOST_TEST(same(s.record(100).open, 3, 0, 1, 2), show(s.record(100).open));
    BOOST_TEST(s.churn.opened() == 2u);

    // One that opens and closes before it could be classified is never counted.
    s.tree.socket(100, 12, 424243);
    s.tick(3000);
    s.tree.close(100, 12);
    s.tick(4000);
    BOOST_TEST(s.record(100).opened_total.total() == 2u);
    BOOST_TEST(s.record(100).closed_total.total() == 0u);
    BOOST_TEST(s.churn.closed() == 0u);
}

BOOST_AUTO_TEST_CASE(a_process_that_closes_everything_keeps_its_totals) {
    Scenario s;
    s.tick(0);
    s.tree.drop_inode("tcp", 5003);
    s.tree.drop_inode("udp", 7002);
    s.tree.empty_fds(200);
    s.tick(1000);
    const auto& client = s.record(200);
    BOOST_TEST(same(client.closed, 1, 1, 0, 0), show(client.closed));
    BOOST_TEST(client.open.total() == 0u);
    s.tick(2000);
    BOOST_TEST(s.record(200).closed.total() == 0u);
    BOOST_TEST(same(s.record(200).closed_total, 1, 1, 0, 0), show(s.record(200).closed_total));
    BOOST_TEST(s.churn.closed() == 0u);
}

BOOST_AUTO_TEST_CASE(close_wait_held_past_the_limit_is_a_suspect_for_its_owner) {
    Scenario s({60'000, 20, 1'000});
    s.tree.socket(100, 9, 6002);  // tcp6 CLOSE_WAIT
    s.tick(0);
    s.tick(600);
    BOOST_TEST(s.leaks.empty());
    s.tick(1'000);  // exactly the limit: not over it
    BOOST_TEST(s.leaks.empty());
    s.tick(1'200);
    BOOST_REQUIRE_EQUAL(s.leaks.size(), 1u);
    BOOST_TEST(s.leaks[0].pid == 100);
    BOOST_TEST(s.leaks[0].reason == "close_wait");
    BOOST_TEST(s.leaks[0].count == 1u);
    BOOST_TEST(s.leaks[0].since_ms == 1'200);
    BOOST_TEST(s.leaks[0].evidence.find("1 TCP socket in CLOSE_WAIT") != std::string::npos, s.leaks[0].evidence);

    // The program closes it: the suspect clears at once.
    s.tree.drop_inode("tcp6", 6002);
    s.tree.close(100, 9);
    s.tick(1'800);
    BOOST_TEST(s.leaks.empty());
}

BOOST_AUTO_TEST_CASE(close_wait_nobody_holds_raises_no_suspect) {
    Scenario s({60'000, 20, 1'000});
    for (std::int64_t t = 0; t <= 3'000; t += 500) s.tick(t);
    BOOST_TEST(s.leaks.empty());  // 6002 is in CLOSE_WAIT all along, but no process holds it
}

BOOST_AUTO_TEST_CASE(growth_over_the_window_is_a_suspect) {
    Scenario s({2'000, 4, 60'000});
    s.tick(0);
    // Two new TCP sockets a tick for the client.
    for (int i = 1; i <= 4; ++i) {
        for (int k = 0; k < 2; ++k) {
            std::uint64_t inode = 51000 + std::uint64_t(i * 2 + k);
            s.tree.add_line("tcp", inet_line(tcp_established, std::uint16_t(41000 + i * 2 + k), inode));
            s.tree.socket(200, 10 + i * 2 + k, inode);
        }
        s.tick(i * 500);
        if (i < 4) BOOST_TEST(s.leaks.empty(), "suspected before the window, at tick " << i);
    }
    BOOST_REQUIRE_EQUAL(s.leaks.size(), 1u);
    BOOST_TEST(s.leaks[0].pid == 200);
    BOOST_TEST(s.leaks[0].reason == "growth");
    BOOST_TEST(s.leaks[0].count == 10u);  // 5003, 7002 and eight new ones
    BOOST_TEST(s.leaks[0].name == "client");
}
