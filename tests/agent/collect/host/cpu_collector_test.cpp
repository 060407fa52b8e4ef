#include "agent/collect/host/cpu_collector.hpp"

#define BOOST_TEST_MODULE cpu_collector
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "tests/support/wait.hpp"

namespace fs = std::filesystem;
using telehub::agent::CpuCollector;

namespace {

// A copy of the recorded tree whose files a test rewrites between readings.
struct ProcTree {
    fs::path root;
    ProcTree() {
        static int n = 0;
        root = fs::temp_directory_path() / ("telehub-cpu-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        fs::remove_all(root);
        fs::copy(fs::path(TELEHUB_TEST_DATA) / "proc", root, fs::copy_options::recursive);
    }
    ~ProcTree() { fs::remove_all(root); }
    void write(const std::string& rel, const std::string& text) const {
        std::ofstream(root / rel, std::ios::trunc) << text;
    }
};

// Two successive readings. Deltas per core:
//           user nice system idle iowait irq softirq steal guest
//   cpu0     100    0     50  250      0   0      50    50   100
//   cpu1     200  100     50   50     50  50       0     0   100
//   all      300  100    100  300     50  50      50    50   200
// total (guest excluded) = 1000; busy = user+nice+system+irq+softirq+steal = 650.
const char* kStatA =
    "cpu  1000 0 500 8000 100 0 0 0 0 0\n"
    "cpu0 500 0 250 4000 50 0 0 0 0 0\n"
    "cpu1 500 0 250 4000 50 0 0 0 0 0\n"
    "procs_running 2\n";
const char* kStatB =
    "cpu  1300 100 600 8300 150 50 50 50 200 0\n"
    "cpu0 600 0 300 4250 50 0 50 50 100 0\n"
    "cpu1 700 100 300 4050 100 50 0 0 100 0\n"
    "procs_running 5\n";

}  // namespace

BOOST_AUTO_TEST_CASE(first_reading_primes_with_zeros) {
    ProcTree tree;
    tree.write("stat", kStatA);
    CpuCollector cpu(tree.root.string());
    telehub::Sample s;
    s.cpu.total = 42;
    BOOST_TEST(!cpu.collect(s));
    BOOST_TEST(cpu.error().empty());
    BOOST_TEST(s.cpu.total == 0.0);
    BOOST_TEST(s.cpu.per_core.size() == 2u);
    BOOST_TEST(cpu.total_delta() == 0u);
    BOOST_TEST(cpu.cores() == 2u);
    // Load, memory and running need no delta: filled from the first reading.
    BOOST_TEST(s.procs.running == 2u);
    BOOST_TEST(s.load[2] == 1.50);
    BOOST_TEST(s.mem.total == 24683656ull * 1024);
}

BOOST_AUTO_TEST_CASE(percentages_from_two_readings) {
    ProcTree tree;
    tree.write("stat", kStatA);
    CpuCollector cpu(tree.root.string());
    telehub::Sample s;
    cpu.collect(s);
    tree.write("stat", kStatB);
    BOOST_REQUIRE(cpu.collect(s));
    BOOST_TEST(cpu.total_delta() == 1000u);
    BOOST_TEST(s.cpu.total == 65.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(s.cpu.user == 40.0, boost::test_tools::tolerance(1e-9));    // user + nice
    BOOST_TEST(s.cpu.system == 20.0, boost::test_tools::tolerance(1e-9));  // system + irq + softirq
    BOOST_TEST(s.cpu.iowait == 5.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(s.cpu.steal == 5.0, boost::test_tools::tolerance(1e-9));
    BOOST_REQUIRE(s.cpu.per_core.size() == 2u);
    BOOST_TEST(s.cpu.per_core[0] == 50.0, boost::test_tools::tolerance(1e-9));  // 250 busy / 500
    BOOST_TEST(s.cpu.per_core[1] == 80.0, boost::test_tools::tolerance(1e-9));  // 400 busy / 500
    BOOST_TEST(s.procs.running == 5u);
}

BOOST_AUTO_TEST_CASE(counters_going_backwards_give_no_garbage) {
    ProcTree tree;
    tree.write("stat", kStatB);
    CpuCollector cpu(tree.root.string());
    telehub::Sample s;
    cpu.collect(s);
    // iowait of the aggregate drops by 50 (NO_HZ iowait does this); cpu1's
    // counters all drop (reset). Only the fields that grew count.
    tree.write("stat",
               "cpu  1400 100 600 8400 100 50 50 50 200 0\n"
               "cpu0 700 0 300 4350 50 0 50 50 100 0\n"
               "cpu1 10 0 10 10 0 0 0 0 0 0\n"
               "procs_running 1\n");
    BOOST_REQUIRE(cpu.collect(s));
    BOOST_TEST(cpu.total_delta() == 200u);  // user +100, idle +100, iowait clamped to 0
    BOOST_TEST(s.cpu.total == 50.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(s.cpu.iowait == 0.0);
    BOOST_TEST(s.cpu.per_core[0] == 50.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(s.cpu.per_core[1] == 0.0);
}

BOOST_AUTO_TEST_CASE(cores_going_offline_and_back) {
    ProcTree tree;
    tree.write("stat", kStatA);
    CpuCollector cpu(tree.root.string());
    telehub::Sample s;
    cpu.collect(s);
    // cpu1 goes offline: its line disappears.
    tree.write("stat", "cpu  1100 0 500 8100 100 0 0 0 0 0\ncpu0 600 0 250 4100 50 0 0 0 0 0\nprocs_running 1\n");
    BOOST_REQUIRE(cpu.collect(s));
    BOOST_TEST(cpu.cores() == 1u);
    BOOST_REQUIRE(s.cpu.per_core.size() == 1u);
    BOOST_TEST(s.cpu.per_core[0] == 50.0, boost::test_tools::tolerance(1e-9));
    // It comes back: no previous line to diff against yet, so 0 for one reading.
    tree.write("stat",
               "cpu  1300 0 500 8300 100 0 0 0 0 0\n"
               "cpu0 700 0 250 4200 50 0 0 0 0 0\n"
               "cpu1 900 0 300 9000 60 0 0 0 0 0\n"
               "procs_running 1\n");
    BOOST_REQUIRE(cpu.collect(s));
    BOOST_TEST(cpu.cores() == 2u);
    BOOST_REQUIRE(s.cpu.per_core.size() == 2u);
    BOOST_TEST(s.cpu.per_core[0] == 50.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(s.cpu.per_core[1] == 0.0);
    tree.write("stat",
               "cpu  1400 0 500 8400 100 0 0 0 0 0\n"
               "cpu0 700 0 250 4300 50 0 0 0 0 0\n"
               "cpu1 1000 0 300 9000 60 0 0 0 0 0\n"
               "procs_running 1\n");
    BOOST_REQUIRE(cpu.collect(s));
    BOOST_TEST(s.cpu.per_core[0] == 0.0);
    BOOST_TEST(s.cpu.per_core[1] == 100.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(bad_reading_is_reported_and_not_used_as_baseline) {
    ProcTree tree;
    tree.write("stat", kStatA);
    CpuCollector cpu(tree.root.string());
    telehub::Sample s;
    cpu.collect(s);
    tree.write("stat", "cpu  1300 100 6");  // cut read
    BOOST_TEST(!cpu.collect(s));
    BOOST_TEST(cpu.error().find("/stat") != std::string::npos);
    BOOST_TEST(cpu.total_delta() == 0u);
    BOOST_TEST(s.cpu.total == 0.0);
    fs::remove(tree.root / "stat");
    BOOST_TEST(!cpu.collect(s));
    BOOST_TEST(cpu.error().find("cannot read") != std::string::npos);
    // The next good reading is diffed against the last good one (A).
    tree.write("stat", kStatB);
    BOOST_REQUIRE(cpu.collect(s));
    BOOST_TEST(cpu.error().empty());
    BOOST_TEST(cpu.total_delta() == 1000u);
    BOOST_TEST(s.cpu.total == 65.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(missing_root_is_a_startup_error) {
    BOOST_CHECK_THROW(CpuCollector("/nonexistent/telehub-proc"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(real_proc_gives_plausible_values) {
    CpuCollector cpu("/proc");
    telehub::Sample s;
    BOOST_TEST(!cpu.collect(s));
    // Clock ticks advance every 10 ms or so; wait for a reading that covers some.
    bool advanced = telehub::test::wait_until([&] { return cpu.collect(s) && cpu.total_delta() > 0; },
                                              std::chrono::seconds(5));
    BOOST_REQUIRE(advanced);
    long online = ::sysconf(_SC_NPROCESSORS_ONLN);
    BOOST_TEST(cpu.cores() == static_cast<std::uint32_t>(online));
    BOOST_TEST(s.cpu.per_core.size() == cpu.cores());
    BOOST_TEST(s.cpu.total >= 0.0);
    BOOST_TEST(s.cpu.total <= 100.0);
    BOOST_TEST(s.cpu.user + s.cpu.system + s.cpu.steal == s.cpu.total, boost::test_tools::tolerance(1e-6));
    for (double c : s.cpu.per_core) BOOST_TEST((c >= 0.0 && c <= 100.0));
    BOOST_TEST(s.mem.total > 0u);
    BOOST_TEST(s.mem.available <= s.mem.total);
    BOOST_TEST(s.procs.running >= 1u);  // this test itself is running
}
