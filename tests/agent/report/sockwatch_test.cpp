#include "agent/report/sockwatch.hpp"

#define BOOST_TEST_MODULE sockwatch
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <ctime>
#include <sstream>

// The sockwatch report from hand-made churn records: which processes are
// listed for each filter, in which order, and how each count is split.

using namespace telehub;
using namespace telehub::agent;

namespace {

FamilyCounts fam(std::uint32_t tcp, std::uint32_t udp, std::uint32_t unix_, std::uint32_t other) {
    FamilyCounts c;
    c.tcp = tcp;
    c.udp = udp;
    c.unix_ = unix_;
    c.other = other;
    return c;
}

ProcessChurnRecord rec(int pid, const char* name, FamilyCounts opened_total, FamilyCounts closed_total = {},
                       FamilyCounts open = {}) {
    ProcessChurnRecord r;
    r.pid = pid;
    r.name = name;
    r.opened_total = opened_total;
    r.closed_total = closed_total;
    r.open = open;
    return r;
}

std::unordered_map<int, ProcessChurnRecord> records() {
    std::unordered_map<int, ProcessChurnRecord> m;
    auto put = [&](ProcessChurnRecord r) { m.emplace(r.pid, std::move(r)); };
    put(rec(10, "nginx", fam(5, 1, 2, 1)));          // 9 opened
    put(rec(20, "redis", fam(9, 0, 0, 0)));          // 9 opened: ties go by pid
    put(rec(30, "nginx", fam(20, 0, 0, 0)));         // the busiest
    put(rec(40, "idle", {}));                        // never had a socket: not listed
    put(rec(50, "holder", {}, {}, fam(0, 0, 3, 0)));  // holds sockets from before the agent
    put(rec(60, "closer", {}, fam(2, 0, 0, 0)));      // only closed some
    return m;
}

std::vector<int> pids(const std::vector<ProcessChurnRecord>& rows) {
    std::vector<int> out;
    for (const auto& r : rows) out.push_back(r.pid);
    return out;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(all_processes_most_opened_first) {
    auto rows = sockwatch_rows(records(), 0, "");
    std::vector<int> want{30, 10, 20, 50, 60};
    BOOST_TEST(pids(rows) == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(filters_by_pid_and_by_name) {
    auto m = records();
    BOOST_TEST(pids(sockwatch_rows(m, 20, "")) == std::vector<int>{20}, boost::test_tools::per_element());
    BOOST_TEST(sockwatch_rows(m, 40, "").empty());     // no sockets ever
    BOOST_TEST(sockwatch_rows(m, 12345, "").empty());  // unknown
    std::vector<int> nginx{30, 10};
    BOOST_TEST(pids(sockwatch_rows(m, 0, "nginx")) == nginx, boost::test_tools::per_element());
    BOOST_TEST(sockwatch_rows(m, 0, "ngin").empty());  // whole names only
    BOOST_TEST(sockwatch_rows(m, 10, "redis").empty());  // both must match
    BOOST_TEST(pids(sockwatch_rows(m, 10, "nginx")) == std::vector<int>{10}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(report_header_and_rows_split_tcp_udp_other) {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    ProcessChurnRecord r = rec(10, "nginx", fam(5, 1, 2, 1), fam(3, 1, 0, 0), fam(2, 0, 2, 1));
    r.opened = fam(1, 0, 1, 0);
    r.closed = fam(0, 1, 0, 0);
    ProcessChurnRecord u = rec(4321, "a-very-long-process-name", fam(0, 0, 4, 0));
    std::ostringstream out;
    write_sockwatch(out, 3'723'000, 0.5, {r, u});  // 01:02:03 UTC
    auto text = lines(out.str());
    BOOST_REQUIRE_EQUAL(text.size(), 5u);

    BOOST_TEST(text[0].rfind("01:02:03 ", 0) == 0, text[0]);
    BOOST_TEST(text[0].find("all (tcp/udp/other)") != std::string::npos, text[0]);
    BOOST_TEST(text[0].find("last 0.5s") != std::string::npos, text[0]);
    for (const char* column : {"PID", "NAME", "SOCKET since start", "SOCKET last", "CLOSE since start", "CLOSE last",
                               "OPEN"})
        BOOST_TEST(text[1].find(column) != std::string::npos, column << " missing from " << text[1]);

    // PID NAME, then (all, split) for: opened since start, opened last,
    // closed since start, closed last, open now. "other" includes unix.
    std::vector<std::string> want{"10", "nginx", "9",     "(5/1/3)", "2", "(1/0/1)", "4",
                                  "(3/1/0)", "1", "(0/1/0)", "5", "(2/0/3)"};
    BOOST_TEST(words(text[2]) == want, boost::test_tools::per_element());
    // Columns line up under the header.
    BOOST_TEST(text[2].find("9 (5/1/3)") == text[1].find("SOCKET since start"), text[1] << '\n' << text[2]);
    BOOST_TEST(text[2].find("2 (1/0/1)") == text[1].find("SOCKET last"), text[1] << '\n' << text[2]);
    BOOST_TEST(text[2].find("5 (2/0/3)") == text[1].find("OPEN"), text[1] << '\n' << text[2]);

    auto w = words(text[3]);
    BOOST_REQUIRE(w.size() >= 4u);
    BOOST_TEST(w[0] == "4321");
    BOOST_TEST(w[1] == "a-very-long-proc");  // cut to 16 characters to keep the columns
    BOOST_TEST(w[2] == "4");
    BOOST_TEST(w[3] == "(0/0/4)");
    BOOST_TEST(text[4].empty());  // a blank line ends each report
}

BOOST_AUTO_TEST_CASE(report_says_when_nothing_matched) {
    std::ostringstream out;
    write_sockwatch(out, 0, 7, sockwatch_rows(records(), 0, "nosuchprogram"));
    auto text = lines(out.str());
    BOOST_REQUIRE_EQUAL(text.size(), 4u);
    BOOST_TEST(text[0].find("last 7s") != std::string::npos, text[0]);
    BOOST_TEST(text[2].find("(no process matched)") != std::string::npos, text[2]);
}
