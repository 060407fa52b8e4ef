#include "agent/collect/socket_tables/proc_net_parser.hpp"

#define BOOST_TEST_MODULE proc_net_parser
#include <boost/test/unit_test.hpp>

#include <array>
#include <string>

#include <arpa/inet.h>

#include "agent/collect/proc/proc_file.hpp"
#include "telehub/tcp_state.hpp"

using namespace telehub;
using namespace telehub::agent;

namespace {

std::string fixture(const char* name) {
    std::string text;
    BOOST_REQUIRE_MESSAGE(read_file(std::string(TELEHUB_TEST_DATA "/net/proc/net/") + name, text), name);
    return text;
}

std::array<std::uint8_t, 16> ip(int af, const char* text) {
    std::array<std::uint8_t, 16> out{};
    BOOST_REQUIRE(inet_pton(af, text, out.data()) == 1);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(tcp_table_fields) {
    SocketTable out;
    auto r = parse_proc_net_inet(fixture("tcp"), SocketFamily::tcp, out);
    BOOST_REQUIRE(r.ok);
    BOOST_REQUIRE_EQUAL(out.size(), 4u);
    const SocketEntry& listen = out[0];
    const SocketEndpoints& listen_ends = out.endpoints(0);
    BOOST_TEST(listen.state == tcp_listen);
    BOOST_TEST(listen.inode == 5001u);
    BOOST_TEST(listen.uid == 1000u);
    BOOST_TEST(!listen_ends.local.v6);
    BOOST_TEST((listen_ends.local.ip == ip(AF_INET, "127.0.0.1")));
    BOOST_TEST(listen_ends.local.port == 8080);
    BOOST_TEST(listen_ends.remote.ip_is_zero());
    const SocketEntry& est = out[1];
    const SocketEndpoints& est_ends = out.endpoints(1);
    BOOST_TEST(est.state == tcp_established);
    BOOST_TEST(est_ends.remote.port == 40000);
    BOOST_TEST(address_text(est_ends.remote) == "127.0.0.1@40000");
    BOOST_TEST(out[3].state == tcp_time_wait);
    BOOST_TEST(out[3].inode == 0u);  // TIME_WAIT has no file
}

BOOST_AUTO_TEST_CASE(tcp6_addresses_in_network_order) {
    SocketTable out;
    BOOST_REQUIRE(parse_proc_net_inet(fixture("tcp6"), SocketFamily::tcp, out).ok);
    BOOST_REQUIRE_EQUAL(out.size(), 2u);
    BOOST_TEST(out.endpoints(0).local.v6);
    BOOST_TEST((out.endpoints(0).local.ip == ip(AF_INET6, "::1")));
    BOOST_TEST(address_text(out.endpoints(0).local) == "::1@22");
    BOOST_TEST(address_text(out.endpoints(1).remote) == "::ffff:127.0.0.2@54321");
    BOOST_TEST(out[1].state == tcp_close_wait);
}

BOOST_AUTO_TEST_CASE(udp_and_raw_share_the_layout) {
    SocketTable out;
    BOOST_REQUIRE(parse_proc_net_inet(fixture("udp"), SocketFamily::udp, out).ok);
    BOOST_REQUIRE(parse_proc_net_inet(fixture("raw"), SocketFamily::raw, out).ok);
    BOOST_REQUIRE_EQUAL(out.size(), 3u);
    BOOST_TEST((out[0].family == SocketFamily::udp));
    BOOST_TEST(out[0].uid == 101u);
    BOOST_TEST(out.endpoints(1).remote.port == 53);
    BOOST_TEST((out[2].family == SocketFamily::raw));
    BOOST_TEST(out[2].inode == 9001u);
}

BOOST_AUTO_TEST_CASE(unix_table_states_and_paths_with_spaces) {
    SocketTable out;
    BOOST_REQUIRE(parse_proc_net_unix(fixture("unix"), out).ok);
    BOOST_REQUIRE_EQUAL(out.size(), 4u);
    BOOST_TEST(out[0].state == tcp_listen);  // __SO_ACCEPTCON
    BOOST_TEST(out[1].state == tcp_established);
    BOOST_TEST(out[1].inode == 8002u);
    BOOST_TEST(out[3].state == tcp_close);
    BOOST_TEST(out[3].uid == unknown_uid);
}

BOOST_AUTO_TEST_CASE(header_only_is_an_empty_table) {
    SocketTable out;
    BOOST_TEST(parse_proc_net_inet(fixture("udp6"), SocketFamily::udp, out).ok);
    BOOST_TEST(out.empty());
}

BOOST_AUTO_TEST_CASE(malformed_line_is_named_and_output_untouched) {
    SocketTable out;
    out.push_back(SocketEntry{});
    std::string text = fixture("tcp");
    text += "   4: 0100007F:XYZ1 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 77\n";
    auto r = parse_proc_net_inet(text, SocketFamily::tcp, out);
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.bad_line == 6u);
    BOOST_TEST(out.size() == 1u);
}

BOOST_AUTO_TEST_CASE(wrong_file_or_nothing_is_refused) {
    SocketTable out;
    BOOST_TEST(!parse_proc_net_inet("", SocketFamily::tcp, out).ok);
    BOOST_TEST(!parse_proc_net_inet(fixture("unix"), SocketFamily::tcp, out).ok);
    BOOST_TEST(!parse_proc_net_unix(fixture("tcp"), out).ok);
    BOOST_TEST(out.empty());
}

BOOST_AUTO_TEST_CASE(line_parsers_reject_truncations) {
    const std::string line =
        "   1: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 5002 1";
    BOOST_REQUIRE(parse_proc_net_inet_line(line, SocketFamily::tcp));
    // Cut anywhere before the inode column: never a valid entry, never a crash.
    std::size_t inode_start = line.find("5002");
    for (std::size_t n = 0; n <= inode_start; ++n)
        BOOST_TEST(!parse_proc_net_inet_line(std::string_view(line).substr(0, n), SocketFamily::tcp), "cut at " << n);
    BOOST_TEST(!parse_proc_net_unix_line("0000: 00000002 00000000"));
    BOOST_TEST(!parse_proc_net_inet_line("   0: 0100007F:1F90 0000000000000000000000000000000:0000 0A", SocketFamily::tcp));
}
