#include "agent/collect/host/cpu_parse.hpp"

#define BOOST_TEST_MODULE cpu_parse
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "agent/collect/proc/proc_file.hpp"

using namespace telehub::agent;

namespace {

std::string fixture(const char* name) {
    std::string text;
    BOOST_REQUIRE(read_file(std::string(TELEHUB_TEST_DATA) + "/proc/" + name, text));
    return text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(recorded_proc_stat) {
    auto st = parse_proc_stat(fixture("stat"));
    BOOST_REQUIRE(st);
    BOOST_TEST(st->all.user == 13546u);
    BOOST_TEST(st->all.nice == 8u);
    BOOST_TEST(st->all.system == 4756u);
    BOOST_TEST(st->all.idle == 66953u);
    BOOST_TEST(st->all.iowait == 1129u);
    BOOST_TEST(st->all.softirq == 232u);
    BOOST_TEST(st->all.steal == 543u);
    BOOST_REQUIRE(st->cores.size() == 2u);
    BOOST_TEST(st->cores[0].id == 0);
    BOOST_TEST(st->cores[1].id == 1);
    BOOST_TEST(st->cores[1].times.user == 7761u);
    BOOST_TEST(st->cores[1].times.steal == 310u);
    BOOST_TEST(st->procs_running == 3u);
}

BOOST_AUTO_TEST_CASE(guest_is_not_counted_twice) {
    auto st = parse_proc_stat("cpu  100 10 20 300 5 1 2 3 40 4\nprocs_running 1\n");
    BOOST_REQUIRE(st);
    BOOST_TEST(st->all.guest == 40u);
    BOOST_TEST(st->all.guest_nice == 4u);
    BOOST_TEST(st->all.total() == 100u + 10 + 20 + 300 + 5 + 1 + 2 + 3);
}

BOOST_AUTO_TEST_CASE(old_kernel_with_four_fields) {
    auto st = parse_proc_stat("cpu 1 2 3 4\ncpu0 1 2 3 4\nprocs_running 0\n");
    BOOST_REQUIRE(st);
    BOOST_TEST(st->all.idle == 4u);
    BOOST_TEST(st->all.iowait == 0u);
    BOOST_TEST(st->all.steal == 0u);
}

BOOST_AUTO_TEST_CASE(offline_cores_leave_gaps_in_ids) {
    auto st = parse_proc_stat("cpu  2 0 0 2\ncpu0 1 0 0 1\ncpu3 1 0 0 1\nprocs_running 1\n");
    BOOST_REQUIRE(st);
    BOOST_REQUIRE(st->cores.size() == 2u);
    BOOST_TEST(st->cores[0].id == 0);
    BOOST_TEST(st->cores[1].id == 3);
}

BOOST_AUTO_TEST_CASE(bad_proc_stat_is_rejected) {
    BOOST_TEST(!parse_proc_stat(""));
    BOOST_TEST(!parse_proc_stat("intr 1 2 3\nprocs_running 2\n"));                // no aggregate line
    BOOST_TEST(!parse_proc_stat("cpu  1 2 3\nprocs_running 2\n"));                 // fewer than four fields
    BOOST_TEST(!parse_proc_stat("cpu  1 2 3 4\ncpu0 1 2\nprocs_running 2\n"));     // core line too short
    BOOST_TEST(!parse_proc_stat("cpu  1 2 x 4\nprocs_running 2\n"));
    BOOST_TEST(!parse_proc_stat("cpu  1 2 3 4\ncpuX 1 2 3 4\nprocs_running 2\n"));
    BOOST_TEST(!parse_proc_stat("cpu  1 2 3 4\nprocs_running many\n"));
    BOOST_TEST(!parse_proc_stat("cpu  1 2 3 4\n"));                                 // no procs_running
    BOOST_TEST(parse_proc_stat("cpu  1 2 3 4\nprocs_running 2\n").has_value());
}

BOOST_AUTO_TEST_CASE(every_cut_before_procs_running_is_rejected) {
    // A cut read must never yield short counters or missing cores.
    std::string text = fixture("stat");
    std::size_t complete = text.find('\n', text.find("procs_running")) + 1;
    for (std::size_t len = 0; len < complete; ++len)
        BOOST_TEST(!parse_proc_stat(std::string_view(text).substr(0, len)), "cut at " << len);
    BOOST_TEST(parse_proc_stat(std::string_view(text).substr(0, complete)).has_value());
}

BOOST_AUTO_TEST_CASE(recorded_loadavg) {
    auto load = parse_loadavg(fixture("loadavg"));
    BOOST_REQUIRE(load);
    BOOST_TEST((*load)[0] == 0.12);
    BOOST_TEST((*load)[1] == 0.28);
    BOOST_TEST((*load)[2] == 1.50);
}

// The agent parses the kernel's "%lu.%02lu" itself (no libm): every value
// must be the double strtod gives for the same text.
BOOST_AUTO_TEST_CASE(loadavg_values_equal_strtod_for_the_kernels_format) {
    char text[64];
    for (unsigned whole : {0u, 1u, 3u, 17u, 255u, 1024u, 99999u})
        for (unsigned hundredths = 0; hundredths < 100; ++hundredths) {
            std::snprintf(text, sizeof text, "%u.%02u %u.%02u %u.%02u 1/2 3\n", whole, hundredths, whole, hundredths,
                          whole, hundredths);
            auto load = parse_loadavg(text);
            BOOST_REQUIRE(load);
            const double expected = std::strtod(text, nullptr);
            BOOST_TEST((*load)[0] == expected, text);
            BOOST_TEST((*load)[2] == expected, text);
        }
}

BOOST_AUTO_TEST_CASE(bad_loadavg_is_rejected) {
    BOOST_TEST(!parse_loadavg("1. 0.28 1.50 1/2 3\n"));     // a point without decimals
    BOOST_TEST(!parse_loadavg("-1.00 0.28 1.50 1/2 3\n"));  // no negative load
    BOOST_TEST(!parse_loadavg("1234567890123456.00 0.28 1.50 1/2 3\n"));
    BOOST_TEST(!parse_loadavg(""));
    BOOST_TEST(!parse_loadavg("0.12 0.28"));
    BOOST_TEST(!parse_loadavg("0.12 0.28 1.5"));  // cut before the run-queue field
    BOOST_TEST(!parse_loadavg("0.12 abc 1.50 1/2 3\n"));
}

BOOST_AUTO_TEST_CASE(recorded_meminfo_in_bytes) {
    auto mem = parse_meminfo(fixture("meminfo"));
    BOOST_REQUIRE(mem);
    BOOST_TEST(mem->total == 24683656ull * 1024);
    BOOST_TEST(mem->available > 0u);
    BOOST_TEST(mem->available <= mem->total);
}

BOOST_AUTO_TEST_CASE(meminfo_without_memavailable_estimates_it) {
    auto mem = parse_meminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\n");
    BOOST_REQUIRE(mem);
    BOOST_TEST(mem->available == 420u * 1024);
}

BOOST_AUTO_TEST_CASE(bad_meminfo_is_rejected) {
    BOOST_TEST(!parse_meminfo(""));
    BOOST_TEST(!parse_meminfo("MemFree: 100 kB\n"));
    BOOST_TEST(!parse_meminfo("MemTotal:       2468"));  // cut before the unit
    BOOST_TEST(!parse_meminfo("MemTotal: 1000 kB\nMemAvailable: 10"));
    BOOST_TEST(!parse_meminfo("MemTotal: lots kB\n"));
}
