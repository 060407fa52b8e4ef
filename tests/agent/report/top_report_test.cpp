#include "agent/report/top_report.hpp"

#define BOOST_TEST_MODULE top_report
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <stdexcept>

#include <unistd.h>

using namespace telehub::agent;

namespace {
const std::string kRoot = std::string(TELEHUB_TEST_DATA) + "/proc";
}

BOOST_AUTO_TEST_CASE(rows_sorted_by_user_plus_kernel_ticks) {
    auto rows = read_top_ticks(kRoot, 0);
    // 888 and 999 have unreadable stat files and are skipped.
    BOOST_REQUIRE(rows.size() == 4u);
    BOOST_TEST(rows[0].pid == 4242);  // 1500 + 250
    BOOST_TEST(rows[0].name == "my ) (odd name");
    BOOST_TEST(rows[0].utime == 1500u);
    BOOST_TEST(rows[0].stime == 250u);
    BOOST_TEST(rows[1].pid == 1);    // 812 + 455
    BOOST_TEST(rows[2].pid == 777);  // 7 + 2
    BOOST_TEST(rows[3].pid == 2);    // 0 + 3
    BOOST_TEST(read_top_ticks(kRoot, 2).size() == 2u);
}

BOOST_AUTO_TEST_CASE(ties_go_to_the_lower_pid) {
    std::vector<TopTicksRow> rows{{"b", 20, 5, 5}, {"a", 10, 9, 1}, {"c", 30, 1, 100}};
    rank_top_ticks(rows, 0);
    BOOST_TEST(rows[0].pid == 30);
    BOOST_TEST(rows[1].pid == 10);
    BOOST_TEST(rows[2].pid == 20);
}

BOOST_AUTO_TEST_CASE(csv_quotes_strings) {
    std::vector<TopTicksRow> rows{{"my ) (odd name", 4242, 1500, 250}, {"a\"b,c", 7, 1, 2}};
    std::ostringstream os;
    write_top_ticks(os, rows, true);
    BOOST_TEST(os.str() ==
               "\"name\",\"pid\",\"utime\",\"stime\"\n"
               "\"my ) (odd name\",4242,1500,250\n"
               "\"a\"\"b,c\",7,1,2\n");
}

BOOST_AUTO_TEST_CASE(table_is_aligned_and_printable) {
    std::vector<TopTicksRow> rows{{"systemd", 1, 812, 455}, {"bad\nname", 77, 3, 4}};
    std::ostringstream os;
    write_top_ticks(os, rows, false);
    std::istringstream lines(os.str());
    std::string header, first, second, extra;
    std::getline(lines, header);
    std::getline(lines, first);
    std::getline(lines, second);
    BOOST_TEST(!std::getline(lines, extra));  // the newline in the name did not split a row
    BOOST_TEST(header.find("NAME") == 0u);
    BOOST_TEST(header.find("PID") != std::string::npos);
    BOOST_TEST(header.find("UTIME") != std::string::npos);
    BOOST_TEST(header.find("STIME") != std::string::npos);
    BOOST_TEST(first.find("systemd") == 0u);
    BOOST_TEST(second.find("bad?name") == 0u);
    BOOST_TEST(first.size() == header.size());
    BOOST_TEST(second.size() == header.size());
    BOOST_TEST(first.substr(first.size() - 3) == "455");
}

BOOST_AUTO_TEST_CASE(real_proc_has_this_test) {
    auto rows = read_top_ticks("/proc", 0);
    bool found = false;
    for (const auto& r : rows) found = found || r.pid == ::getpid();
    BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(missing_root_is_a_startup_error) {
    BOOST_CHECK_THROW(read_top_ticks("/nonexistent/telehub-proc", 5), std::runtime_error);
}
