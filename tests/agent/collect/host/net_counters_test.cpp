#include "agent/collect/host/net_counters.hpp"

#define BOOST_TEST_MODULE net_counters
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "agent/collect/proc/proc_file.hpp"

using namespace telehub::agent;
namespace fs = std::filesystem;

namespace {

std::string fixture(const char* name) {
    std::string buf;
    BOOST_REQUIRE(read_file(std::string(TELEHUB_TEST_DATA) + "/net_counters/" + name, buf));
    return buf;
}

}  // namespace

BOOST_AUTO_TEST_CASE(snmp_counters_from_recorded_files) {
    auto c = parse_snmp(fixture("snmp"), fixture("snmp6"));
    BOOST_REQUIRE(c.has_value());
    BOOST_TEST(c->tcp_active_opens == 26972u);
    BOOST_TEST(c->tcp_passive_opens == 26696u);
    BOOST_TEST(c->tcp_attempt_fails == 261u);
    BOOST_TEST(c->tcp_estab_resets == 30u);
    BOOST_TEST(c->tcp_out_rsts == 317u);
    BOOST_TEST(c->udp_in_datagrams == 2583u + 7u);  // Udp + Udp6
    BOOST_TEST(c->udp_out_datagrams == 2584u);
}

BOOST_AUTO_TEST_CASE(sockstat_gauges_add_ipv6) {
    auto s = parse_sockstat(fixture("sockstat"), fixture("sockstat6"));
    BOOST_REQUIRE(s.has_value());
    BOOST_TEST(s->sockets_used == 98u);
    BOOST_TEST(s->tcp_inuse == 17u + 2u);
    BOOST_TEST(s->tcp_orphan == 0u);
    BOOST_TEST(s->tcp_tw == 107u);
    BOOST_TEST(s->udp_inuse == 0u + 1u);
}

BOOST_AUTO_TEST_CASE(missing_or_truncated_rows_are_refused) {
    BOOST_TEST(!parse_snmp("", "").has_value());
    BOOST_TEST(!parse_snmp("Tcp: ActiveOpens PassiveOpens\nTcp: 1 2\n", "").has_value());  // no Udp rows
    BOOST_TEST(!parse_snmp("Tcp: ActiveOpens PassiveOpens\nUdp: 1 2\n", "").has_value());  // header without values
    BOOST_TEST(!parse_snmp("Tcp: ActiveOpens PassiveOpens\nTcp: 1\nUdp: InDatagrams\nUdp: 4\n", "").has_value());
    BOOST_TEST(!parse_sockstat("sockets: used 3\n", "").has_value());
    BOOST_TEST(!parse_sockstat("sockets: used x\nTCP: inuse 1\n", "").has_value());
}

BOOST_AUTO_TEST_CASE(collector_reports_deltas_after_priming) {
    fs::path root = fs::temp_directory_path() / ("telehub-netc-" + std::to_string(::getpid()));
    fs::create_directories(root / "net");
    auto write = [&](const char* name, const std::string& text) { std::ofstream(root / "net" / name) << text; };
    write("sockstat", fixture("sockstat"));
    write("snmp", "Tcp: ActiveOpens PassiveOpens\nTcp: 100 50\nUdp: InDatagrams OutDatagrams\nUdp: 10 20\n");
    NetCountersCollector c(root.string());
    NetCountersDelta d;
    BOOST_TEST(!c.collect(d));  // primes
    write("snmp", "Tcp: ActiveOpens PassiveOpens\nTcp: 130 51\nUdp: InDatagrams OutDatagrams\nUdp: 15 20\n");
    BOOST_REQUIRE(c.collect(d));
    BOOST_TEST(d.per_interval.tcp_active_opens == 30u);
    BOOST_TEST(d.per_interval.tcp_passive_opens == 1u);
    BOOST_TEST(d.per_interval.udp_in_datagrams == 5u);
    BOOST_TEST(d.now.tcp_tw == 107u);
    write("snmp", "Tcp: ActiveOpens PassiveOpens\nTcp: 5 51\nUdp: InDatagrams OutDatagrams\nUdp: 15 20\n");
    BOOST_REQUIRE(c.collect(d));
    BOOST_TEST(d.per_interval.tcp_active_opens == 0u);  // went backwards: not a huge delta
    fs::remove_all(root);
}

BOOST_AUTO_TEST_CASE(live_counters_see_this_tests_connects_exactly) {
    int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    BOOST_REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    BOOST_REQUIRE(::listen(listener, 16) == 0);
    BOOST_REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);

    // Other processes on this machine connect too: the delta is at least ours.
    NetCountersCollector c("/proc");
    NetCountersDelta d;
    c.collect(d);
    for (int i = 0; i < 5; ++i) {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        int server = ::accept(listener, nullptr, nullptr);
        ::close(server);
        ::close(fd);
    }
    BOOST_REQUIRE(c.collect(d));
    BOOST_TEST(d.per_interval.tcp_active_opens >= 5u);
    BOOST_TEST(d.per_interval.tcp_passive_opens >= 5u);
    ::close(listener);
}
