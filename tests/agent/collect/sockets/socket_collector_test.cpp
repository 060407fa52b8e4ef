#include "agent/collect/sockets/socket_collector.hpp"

#define BOOST_TEST_MODULE socket_collector
#include <boost/test/unit_test.hpp>

#include "telehub/tcp_state.hpp"
#include "tests/support/fake_proc_tree.hpp"

// The /proc/net fallback and the fd cache over a /proc tree the test builds
// and changes between ticks: recorded socket tables from tests/data/net plus
// /proc/PID/fd symlinks ("socket:[INODE]") made here.

using namespace telehub;
using namespace telehub::agent;

namespace {

const char* const recorded_net = TELEHUB_TEST_DATA "/net/proc/net";

ProcessEntry proc(int pid, const char* name, std::uint64_t starttime = 1000, bool kthread = false) {
    ProcessEntry e;
    e.pid = pid;
    e.starttime = starttime;
    e.uid = 1000;
    e.name = name;
    e.kernel_thread = kthread;
    return e;
}

// pid 100 "server": 5001 LISTEN, 5002 ESTABLISHED twice (dup), unix 8001, /dev/null
// pid 200 "client": 5003 ESTABLISHED, udp 7002, unix 8002 and 8001 (shared with 100)
// pid 300 has no /proc entry; pid 2 is a kernel thread.
// Unowned: 6001, 6002 (tcp6), 7001 (udp), 8003, 8004 (unix), 9001 (raw).
struct Scenario {
    test::FakeProcTree tree{recorded_net};
    ProcessList procs{proc(2, "kthreadd", 10, true), proc(100, "server"), proc(200, "client"), proc(300, "gone")};
    SocketCollector collector{tree.root(), false};
    HostSockets out;

    Scenario() {
        tree.socket(100, 3, 5001);
        tree.socket(100, 4, 5002);
        tree.socket(100, 5, 8001);
        tree.link(100, 6, "/dev/null");
        tree.socket(100, 7, 5002);
        tree.socket(200, 3, 5003);
        tree.socket(200, 4, 7002);
        tree.socket(200, 5, 8002);
        tree.socket(200, 6, 8001);
    }
    void tick(std::size_t top_k = 10) { BOOST_REQUIRE_MESSAGE(collector.collect(procs, top_k, out), collector.error()); }
    std::uint64_t pos_of(std::uint64_t inode) const {
        const auto& t = collector.table();
        for (std::size_t i = 0; i < t.size(); ++i)
            if (t[i].inode == inode) return i;
        BOOST_FAIL("inode not in table");
        return 0;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(host_counts_from_proc_net) {
    Scenario s;
    s.tick();
    BOOST_TEST(s.out.source == "proc");
    BOOST_TEST(s.out.tcp[tcp_listen] == 2u);
    BOOST_TEST(s.out.tcp[tcp_established] == 2u);
    BOOST_TEST(s.out.tcp[tcp_time_wait] == 1u);
    BOOST_TEST(s.out.tcp[tcp_close_wait] == 1u);
    BOOST_TEST(s.out.tcp_total() == 6u);
    BOOST_TEST(s.out.udp == 2u);
    BOOST_TEST(s.out.unix_ == 4u);
    BOOST_TEST(s.out.raw == 1u);
    BOOST_TEST(s.out.unattributed == 6u);  // the TIME_WAIT socket has no file, so it is nobody's
}

BOOST_AUTO_TEST_CASE(per_process_counts_and_top_k) {
    Scenario s;
    s.tick();
    SocketCounts server = s.collector.counts_for(100);
    BOOST_TEST(server.tcp == 2u);  // the dup of 5002 counts once
    BOOST_TEST(server.unix_ == 1u);
    SocketCounts client = s.collector.counts_for(200);
    BOOST_TEST(client.tcp == 1u);
    BOOST_TEST(client.udp == 1u);
    BOOST_TEST(client.unix_ == 2u);  // 8001 is shared: it counts for each holder
    BOOST_TEST(s.collector.counts_for(300).tcp == 0u);
    BOOST_TEST(s.collector.counts_for(12345).unix_ == 0u);

    BOOST_REQUIRE_EQUAL(s.out.by_process.size(), 2u);
    BOOST_TEST(s.out.by_process[0].pid == 200);
    BOOST_TEST(s.out.by_process[0].name == "client");
    BOOST_TEST(s.out.by_process[0].total == 4u);
    BOOST_TEST(s.out.by_process[1].pid == 100);
    BOOST_TEST(s.out.by_process[1].total == 3u);
    BOOST_TEST(s.out.by_process[1].tcp[tcp_listen] == 1u);
    BOOST_TEST(s.out.by_process[1].tcp[tcp_established] == 1u);

    s.tick(1);
    BOOST_REQUIRE_EQUAL(s.out.by_process.size(), 1u);
    BOOST_TEST(s.out.by_process[0].pid == 200);

    BOOST_TEST(s.collector.owner_at(s.pos_of(8001)) == 100);  // shared: the lowest pid
    BOOST_TEST(s.collector.owner_at(s.pos_of(7002)) == 200);
    BOOST_TEST(s.collector.owner_at(s.pos_of(6001)) == -1);
}

BOOST_AUTO_TEST_CASE(steady_tick_reads_only_links_of_shared_inodes) {
    Scenario s;
    s.tick();
    BOOST_TEST(s.collector.stats().readlinks >= 9u);
    s.tick();
    // Unchanged directories: only fds whose inode another fd also holds are
    // re-read (8001 in two processes, 5002 dup'ed in one: four fds), and the
    // unowned inodes, already searched for, are not searched again.
    BOOST_TEST(s.collector.stats().readlinks == 4u);
    BOOST_TEST(s.collector.stats().searches == 0u);
    BOOST_TEST(s.out.unattributed == 6u);
}

BOOST_AUTO_TEST_CASE(reused_and_new_fd_numbers_stay_exact) {
    Scenario s;
    s.tick();
    s.tick();
    // A file's fd number now holds a new socket (found by the search).
    s.tree.add_line("tcp", test::inet_line(tcp_established, 8080, 40001, 5004));
    s.tree.socket(100, 6, 5004);
    // A socket's fd number holds a new socket after the old one closed.
    s.tree.drop_inode("tcp", 5003);
    s.tree.add_line("tcp", test::inet_line(tcp_established, 40000, 8080, 5005));
    s.tree.socket(200, 3, 5005);
    // One holder of a shared socket reuses its number for a file.
    s.tree.link(200, 6, "/dev/null");
    // A new fd number receives a socket nobody held before.
    s.tree.socket(100, 9, 7001);
    s.tick();

    SocketCounts server = s.collector.counts_for(100);
    BOOST_TEST(server.tcp == 3u);
    BOOST_TEST(server.udp == 1u);
    BOOST_TEST(server.unix_ == 1u);
    SocketCounts client = s.collector.counts_for(200);
    BOOST_TEST(client.tcp == 1u);
    BOOST_TEST(client.udp == 1u);
    BOOST_TEST(client.unix_ == 1u);
    BOOST_TEST(s.out.unattributed == 5u);  // 6001, 6002, 8003, 8004, 9001
    BOOST_TEST(s.collector.owner_at(s.pos_of(5004)) == 100);
    BOOST_TEST(s.collector.owner_at(s.pos_of(5005)) == 200);
    BOOST_TEST(s.collector.owner_at(s.pos_of(7001)) == 100);
}

BOOST_AUTO_TEST_CASE(pid_reuse_rereads_everything) {
    Scenario s;
    s.tick();
    // Same pid, new process (new starttime), same fd numbers, other targets.
    s.tree.socket(200, 3, 8003);
    s.procs[2].starttime = 5000;
    s.procs[2].name = "reborn";
    s.tick();
    SocketCounts c = s.collector.counts_for(200);
    BOOST_TEST(c.tcp == 0u);
    BOOST_TEST(c.unix_ == 3u);  // 8003, 8002, 8001
    BOOST_TEST(c.udp == 1u);
    BOOST_TEST(s.collector.owner_at(s.pos_of(5003)) == -1);
    BOOST_TEST(s.out.unattributed == 6u);  // 8003 found, 5003 lost
    BOOST_TEST(s.out.by_process[0].name == "reborn");
}

BOOST_AUTO_TEST_CASE(processes_that_leave_take_their_sockets_to_unattributed) {
    Scenario s;
    s.tick();
    s.procs.erase(s.procs.begin() + 1);  // pid 100 no longer listed
    s.tree.remove_pid(100);
    s.tick();
    BOOST_TEST(s.collector.counts_for(100).tcp == 0u);
    BOOST_TEST(s.out.unattributed == 8u);  // + 5001, 5002; 8001 is still 200's
    BOOST_REQUIRE_EQUAL(s.out.by_process.size(), 1u);
}

BOOST_AUTO_TEST_CASE(unreadable_tables_fail_with_the_file_named) {
    test::FakeProcTree tree{recorded_net};
    tree.remove_table("unix");
    SocketCollector c(tree.root(), false);
    HostSockets out;
    out.udp = 99;
    BOOST_TEST(!c.collect({}, 10, out));
    BOOST_TEST(c.error().find("net/unix") != std::string::npos);
    BOOST_TEST(out.udp == 0u);
    BOOST_TEST(out.source.empty());

    test::FakeProcTree bad{recorded_net};
    bad.add_line("tcp", "   9: garbage\n");
    SocketCollector c2(bad.root(), false);
    BOOST_TEST(!c2.collect({}, 10, out));
    BOOST_TEST(c2.error().find("net/tcp is malformed at line 6") != std::string::npos, c2.error());
}
