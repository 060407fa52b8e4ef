#include "agent/report/connections_report.hpp"

#define BOOST_TEST_MODULE connections_report
#include <boost/test/unit_test.hpp>

#include <sstream>

#include <arpa/inet.h>

#include "telehub/tcp_state.hpp"

using namespace telehub;
using namespace telehub::agent;

namespace {

SocketAddress addr(const char* ip, std::uint16_t port) {
    SocketAddress a;
    a.v6 = std::string_view(ip).find(':') != std::string_view::npos;
    BOOST_REQUIRE(inet_pton(a.v6 ? AF_INET6 : AF_INET, ip, a.ip.data()) == 1);
    a.port = port;
    return a;
}

ParsedSocket sock(SocketFamily f, int state, SocketAddress l, SocketAddress r) {
    ParsedSocket s;
    s.entry.family = f;
    s.entry.state = static_cast<std::uint8_t>(state);
    s.ends.local = l;
    s.ends.remote = r;
    return s;
}

// pid 7 holds two connections, pid 5 one, pid 9 one: groups 7, then 5 and 9 by pid.
SocketTable table() {
    SocketTable t;
    for (const ParsedSocket& s : {
        sock(SocketFamily::tcp, tcp_listen, addr("0.0.0.0", 80), addr("0.0.0.0", 0)),           // 0: no remote
        sock(SocketFamily::tcp, tcp_established, addr("127.0.0.1", 80), addr("127.0.0.1", 5001)),  // 1: pid 9
        sock(SocketFamily::tcp, tcp_time_wait, addr("127.0.0.1", 80), addr("127.0.0.1", 5000)),    // 2: nobody
        sock(SocketFamily::udp, tcp_established, addr("::1", 5353), addr("::1", 53)),              // 3: pid 7
        sock(SocketFamily::tcp, tcp_close_wait, addr("127.0.0.1", 6000), addr("127.0.0.1", 80)),   // 4: pid 7
        sock(SocketFamily::unix_, tcp_established, {}, {}),                                        // 5: unix
        sock(SocketFamily::tcp, tcp_syn_sent, addr("127.0.0.1", 7000), addr("127.0.0.1", 81)),     // 6: pid 5
         })
        t.push_back(s.entry, s.ends);
    return t;
}

int owner(std::size_t pos) {
    constexpr int owners[] = {7, 9, -1, 7, 7, 7, 5};
    return owners[pos];
}

}  // namespace

BOOST_AUTO_TEST_CASE(rows_grouped_by_count_then_pid_with_ownerless_last) {
    auto t = table();
    auto rows = connection_rows(t, owner);
    BOOST_REQUIRE_EQUAL(rows.size(), 5u);  // no listener, no unix
    BOOST_TEST(rows[0].pid == 7);
    BOOST_TEST(rows[1].pid == 7);
    // Within pid 7: IPv4 local addresses sort before IPv6.
    BOOST_TEST(rows[0].laddr == "127.0.0.1@6000");
    BOOST_TEST(rows[0].status == "CLOSE_WAIT");
    BOOST_TEST(rows[1].laddr == "::1@5353");
    BOOST_TEST(rows[1].raddr == "::1@53");
    BOOST_TEST(rows[1].status == "NONE");  // UDP has no state
    BOOST_TEST(rows[2].pid == 5);
    BOOST_TEST(rows[2].status == "SYN_SENT");
    BOOST_TEST(rows[3].pid == 9);
    BOOST_TEST(rows[4].pid == -1);
    BOOST_TEST(rows[4].status == "TIME_WAIT");
}

BOOST_AUTO_TEST_CASE(csv_is_quoted_with_a_header) {
    auto t = table();
    std::ostringstream out;
    write_connections_csv(connection_rows(t, owner), out);
    const std::string expected =
        "\"pid\",\"laddr\",\"raddr\",\"status\"\n"
        "\"7\",\"127.0.0.1@6000\",\"127.0.0.1@80\",\"CLOSE_WAIT\"\n"
        "\"7\",\"::1@5353\",\"::1@53\",\"NONE\"\n"
        "\"5\",\"127.0.0.1@7000\",\"127.0.0.1@81\",\"SYN_SENT\"\n"
        "\"9\",\"127.0.0.1@80\",\"127.0.0.1@5001\",\"ESTABLISHED\"\n"
        "\"-\",\"127.0.0.1@80\",\"127.0.0.1@5000\",\"TIME_WAIT\"\n";
    BOOST_TEST(out.str() == expected);
}

BOOST_AUTO_TEST_CASE(table_columns_line_up) {
    auto t = table();
    std::ostringstream out;
    write_connections_table(connection_rows(t, owner), out);
    std::istringstream in(out.str());
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(in, line)) lines.push_back(line);
    BOOST_REQUIRE_EQUAL(lines.size(), 6u);
    const auto status_col = lines[0].find("STATUS");
    const auto raddr_col = lines[0].find("RADDR");
    BOOST_REQUIRE(status_col != std::string::npos);
    BOOST_TEST(lines[1].substr(raddr_col, 12) == "127.0.0.1@80");
    BOOST_TEST(lines[1].substr(status_col) == "CLOSE_WAIT");
    BOOST_TEST(lines[5].substr(status_col) == "TIME_WAIT");
    BOOST_TEST(lines[5].find('-') < lines[5].find("127.0.0.1"));
}

BOOST_AUTO_TEST_CASE(empty_table_gives_only_the_header) {
    std::ostringstream out;
    write_connections_csv(connection_rows({}, owner), out);
    BOOST_TEST(out.str() == "\"pid\",\"laddr\",\"raddr\",\"status\"\n");
}

BOOST_AUTO_TEST_CASE(table_names_each_holders_container) {
    auto t = table();
    auto container_of = [](int pid) { return pid == 7 ? std::string("web-frontend") : std::string(); };
    auto rows = connection_rows(t, owner, container_of);
    BOOST_TEST(rows[0].container == "web-frontend");
    BOOST_TEST(rows.back().container.empty());  // no holder
    std::ostringstream table_text, csv;
    write_connections_table(rows, table_text);
    write_connections_csv(rows, csv);
    std::istringstream in(table_text.str());
    std::string header, first;
    std::getline(in, header);
    std::getline(in, first);
    BOOST_TEST(header.find("CONTAINER") != std::string::npos);
    BOOST_TEST(first.substr(header.find("CONTAINER"), 12) == "web-frontend");
    // The CSV keeps seed 000's four columns.
    BOOST_TEST(csv.str().find("web-frontend") == std::string::npos);
}
