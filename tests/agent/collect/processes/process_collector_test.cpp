#include "agent/collect/processes/process_collector.hpp"

#define BOOST_TEST_MODULE process_collector
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/collect/host/cpu_collector.hpp"
#include "agent/collect/proc/proc_file.hpp"
#include "agent/collect/processes/process_parse.hpp"
#include "tests/support/wait.hpp"

namespace fs = std::filesystem;
using telehub::TopProcess;
using telehub::agent::ProcessCollector;
using telehub::agent::ProcessEntry;

namespace {

// A copy of the recorded tree whose files a test rewrites between scans.
struct ProcTree {
    fs::path root;
    ProcTree() {
        static int n = 0;
        root = fs::temp_directory_path() / ("telehub-proc-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        fs::remove_all(root);
        fs::copy(fs::path(TELEHUB_TEST_DATA) / "proc", root, fs::copy_options::recursive);
    }
    ~ProcTree() { fs::remove_all(root); }
    void write(const std::string& rel, const std::string& text) const {
        std::ofstream(root / rel, std::ios::trunc | std::ios::binary) << text;
    }
};

// A /proc/PID/stat line with the fields the collector reads.
std::string stat_line(int pid, const std::string& comm, char state, std::uint64_t utime, std::uint64_t stime,
                      std::uint64_t starttime) {
    return std::to_string(pid) + " (" + comm + ") " + state + " 1 " + std::to_string(pid) + " " +
           std::to_string(pid) + " 0 -1 4194304 0 0 0 0 " + std::to_string(utime) + " " + std::to_string(stime) +
           " 0 0 20 0 1 0 " + std::to_string(starttime) + " 1000 50 18446744073709551615 0 0\n";
}

const ProcessEntry* find(const ProcessCollector& pc, int pid) {
    for (const auto& e : pc.processes())
        if (e.pid == pid) return &e;
    return nullptr;
}

const TopProcess* find(const std::vector<TopProcess>& top, int pid) {
    for (const auto& p : top)
        if (p.pid == pid) return &p;
    return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(recorded_tree_lists_readable_processes_only) {
    ProcessCollector pc(std::string(TELEHUB_TEST_DATA) + "/proc");
    pc.scan(0, 2);
    // 888 (empty stat: exited mid-scan) and 999 (cut stat) are skipped; sys/ and version are not pids.
    BOOST_TEST(pc.count() == 4u);
    for (int pid : {1, 2, 777, 4242}) BOOST_TEST(find(pc, pid) != nullptr, "pid " << pid);
    BOOST_TEST(find(pc, 888) == nullptr);
    BOOST_TEST(find(pc, 999) == nullptr);

    const ProcessEntry* odd = find(pc, 4242);
    BOOST_REQUIRE(odd);
    BOOST_TEST(odd->name == "my ) (odd name");
    BOOST_TEST(odd->uid == 4000000123u);
    BOOST_TEST(odd->starttime == 90210u);
    BOOST_TEST(odd->is_new);
    BOOST_TEST(!odd->kernel_thread);
    BOOST_TEST(find(pc, 2)->kernel_thread);
    BOOST_TEST(!find(pc, 777)->kernel_thread);

    pc.scan(0, 2);
    for (const auto& e : pc.processes()) BOOST_TEST(!e.is_new, "pid " << e.pid);
}

BOOST_AUTO_TEST_CASE(top_fills_every_field) {
    ProcessCollector pc(std::string(TELEHUB_TEST_DATA) + "/proc");
    pc.scan(0, 2);
    std::vector<TopProcess> top;
    top.resize(9);  // stale contents must be replaced
    top[0].sockets.tcp = 7;
    pc.top(10, top);
    BOOST_REQUIRE(top.size() == 4u);
    // No CPU % yet (first scan), so the order is by cumulative ticks.
    BOOST_TEST(top[0].pid == 4242);
    BOOST_TEST(top[1].pid == 1);
    BOOST_TEST(top[2].pid == 777);
    BOOST_TEST(top[3].pid == 2);

    const TopProcess& p = top[0];
    BOOST_TEST(p.ppid == 1);
    BOOST_TEST(p.name == "my ) (odd name");
    BOOST_TEST(p.cmdline == "/usr/bin/odd --flag value with space");
    BOOST_TEST(p.user == "4000000123");
    BOOST_TEST(p.state == 'R');
    BOOST_TEST(p.cpu == 0.0);
    BOOST_TEST(p.utime == 1500u);
    BOOST_TEST(p.stime == 250u);
    BOOST_TEST(p.rss == 2048u * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)));
    BOOST_TEST(p.threads == 4u);
    BOOST_TEST(p.nice == 5);
    BOOST_TEST(p.sockets.tcp == 0u);

    BOOST_TEST(top[1].user == "root");
    BOOST_TEST(top[1].cmdline == "/sbin/init splash");
    BOOST_TEST(top[2].state == 'Z');  // zombie: counted, no cmdline
    BOOST_TEST(top[2].cmdline.empty());
    BOOST_TEST(top[3].cmdline.empty());  // kernel thread

    pc.top(2, top);
    BOOST_TEST(top.size() == 2u);
}

BOOST_AUTO_TEST_CASE(process_cpu_over_two_scans) {
    ProcTree tree;
    tree.write("4242/stat", stat_line(4242, "worker", 'R', 1000, 200, 90210));
    ProcessCollector pc(tree.root.string());
    pc.scan(0, 2);
    // 50 ticks of the process over 200 host jiffies on 2 cores: half of the
    // host's time = one full core = 50 / (200 / 2) * 100 = 50 %.
    tree.write("4242/stat", stat_line(4242, "worker", 'R', 1030, 220, 90210));
    pc.scan(200, 2);
    std::vector<TopProcess> top;
    pc.top(10, top);
    BOOST_REQUIRE(!top.empty());
    BOOST_TEST(top[0].pid == 4242);
    BOOST_TEST(top[0].cpu == 50.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(find(top, 1)->cpu == 0.0);  // no new ticks
    // More ticks than the host had (a bad host delta) are capped at all cores.
    tree.write("4242/stat", stat_line(4242, "worker", 'R', 5000, 220, 90210));
    pc.scan(10, 2);
    pc.top(1, top);
    BOOST_TEST(top[0].cpu == 200.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(reused_pid_does_not_inherit_ticks_or_identity) {
    ProcTree tree;
    ProcessCollector pc(tree.root.string());
    pc.scan(0, 2);
    // pid 4242 exits; a new process gets the same pid (new starttime) with
    // fewer cumulative ticks than the old one had.
    tree.write("4242/stat", stat_line(4242, "newcomer", 'S', 10, 5, 99999));
    tree.write("4242/status", "Name:\tnewcomer\nUid:\t0\t0\t0\t0\n");
    tree.write("4242/cmdline", std::string("newcmd\0-x\0", 10));
    pc.scan(200, 2);
    const ProcessEntry* e = find(pc, 4242);
    BOOST_REQUIRE(e);
    BOOST_TEST(e->is_new);
    BOOST_TEST(e->starttime == 99999u);
    BOOST_TEST(e->uid == 0u);
    BOOST_TEST(e->name == "newcomer");
    std::vector<TopProcess> top;
    pc.top(10, top);
    const TopProcess* p = find(top, 4242);
    BOOST_REQUIRE(p);
    // It started within the interval, so all of its 15 ticks are its own:
    // 15 / (200 / 2) * 100 = 15 %, not a wrap of 15 - 1750.
    BOOST_TEST(p->cpu == 15.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(p->cmdline == "newcmd -x");
    BOOST_TEST(p->user == "root");
}

BOOST_AUTO_TEST_CASE(exec_refreshes_cmdline) {
    ProcTree tree;
    ProcessCollector pc(tree.root.string());
    pc.scan(0, 2);
    // Same pid and starttime, new comm: the process exec'd.
    tree.write("4242/stat", stat_line(4242, "sh", 'S', 1500, 250, 90210));
    tree.write("4242/cmdline", std::string("sh\0-c\0true\0", 11));
    pc.scan(100, 2);
    BOOST_TEST(!find(pc, 4242)->is_new);
    BOOST_TEST(find(pc, 4242)->name == "sh");
    std::vector<TopProcess> top;
    pc.top(10, top);
    BOOST_TEST(find(top, 4242)->cmdline == "sh -c true");
    BOOST_TEST(find(top, 4242)->cpu == 0.0);
}

BOOST_AUTO_TEST_CASE(gone_and_unreadable_processes) {
    ProcTree tree;
    ProcessCollector pc(tree.root.string());
    pc.scan(0, 2);
    BOOST_TEST(pc.count() == 4u);
    fs::remove_all(tree.root / "1");
    tree.write("777/stat", "");  // exited between listing and reading
    pc.scan(100, 2);
    BOOST_TEST(pc.count() == 2u);
    BOOST_TEST(find(pc, 1) == nullptr);
    std::vector<TopProcess> top;
    pc.top(10, top);
    BOOST_TEST(top.size() == 2u);
    BOOST_TEST(find(top, 1) == nullptr);
    BOOST_TEST(find(top, 777) == nullptr);
    // 888 recovers (a process that was starting): seen as new, not as garbage.
    tree.write("888/stat", stat_line(888, "late", 'S', 3, 1, 123456));
    pc.scan(100, 2);
    BOOST_TEST(pc.count() == 3u);
    BOOST_REQUIRE(find(pc, 888));
    BOOST_TEST(find(pc, 888)->is_new);
}

BOOST_AUTO_TEST_CASE(missing_root_is_a_startup_error) {
    BOOST_CHECK_THROW(ProcessCollector("/nonexistent/telehub-proc"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(real_proc_finds_this_test) {
    telehub::agent::CpuCollector cpu("/proc");
    ProcessCollector pc("/proc");
    telehub::Sample s;
    cpu.collect(s);
    pc.scan(cpu.total_delta(), cpu.cores());
    const int self = ::getpid();
    const ProcessEntry* me = find(pc, self);
    BOOST_REQUIRE(me);
    BOOST_TEST(me->is_new);
    BOOST_TEST(me->uid == ::getuid());
    BOOST_TEST(!me->kernel_thread);
    BOOST_TEST(me->name == std::string(program_invocation_short_name).substr(0, 15));
    BOOST_TEST(pc.count() > 1u);

    // Burn CPU until this process has used a few clock ticks; then one more
    // reading shows it using CPU.
    auto ticks = [] {
        std::string buf;
        telehub::agent::read_file("/proc/self/stat", buf);
        auto st = telehub::agent::parse_pid_stat(buf);
        return st ? st->utime + st->stime : 0;
    };
    const auto start = ticks();
    volatile std::uint64_t sink = 0;
    bool burned = telehub::test::wait_until(
        [&] {
            for (int i = 0; i < 1000000; ++i) sink = sink + i;
            return ticks() >= start + 5;
        },
        std::chrono::seconds(10), std::chrono::milliseconds(0));
    BOOST_REQUIRE(burned);
    BOOST_REQUIRE(cpu.collect(s));
    pc.scan(cpu.total_delta(), cpu.cores());
    BOOST_TEST(!find(pc, self)->is_new);
    std::vector<TopProcess> top;
    pc.top(pc.count(), top);
    const TopProcess* p = find(top, self);
    BOOST_REQUIRE(p);
    BOOST_TEST(p->cpu > 0.0);
    BOOST_TEST(p->cpu <= 100.0 * cpu.cores());
    BOOST_TEST(p->ppid == ::getppid());
    BOOST_TEST(p->utime + p->stime >= start + 5);
    BOOST_TEST(p->rss > 0u);
    BOOST_TEST(p->threads >= 1u);
    BOOST_TEST(p->user == ::getpwuid(::getuid())->pw_name);
    BOOST_TEST(p->cmdline.find("process_collector") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(real_child_through_zombie_to_gone) {
    ProcessCollector pc("/proc");
    pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        ::pause();
        ::_exit(0);
    }
    pc.scan(0, 1);  // from here its stat fd is held open
    BOOST_TEST(find(pc, child) != nullptr);
    ::kill(child, SIGKILL);
    // Unreaped, it is a zombie: still counted, state Z, no cmdline.
    bool zombie = telehub::test::wait_until(
        [&] {
            pc.scan(0, 1);
            std::vector<TopProcess> top;
            pc.top(pc.count(), top);
            const TopProcess* p = find(top, child);
            return p != nullptr && p->state == 'Z' && p->cmdline.empty();
        },
        std::chrono::seconds(5));
    BOOST_TEST(zombie);
    int status = 0;
    BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
    pc.scan(0, 1);
    BOOST_TEST(find(pc, child) == nullptr);
}
