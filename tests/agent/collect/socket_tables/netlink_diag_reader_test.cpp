#include "agent/collect/socket_tables/netlink_diag_reader.hpp"

#define BOOST_TEST_MODULE netlink_diag_reader
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "telehub/tcp_state.hpp"

// Against the live kernel: a socket this test opens on 127.0.0.1 shows up in
// the dump with its inode, state, address and our uid.

using namespace telehub;
using namespace telehub::agent;

namespace {

struct Fd {
    int fd;
    ~Fd() { ::close(fd); }
};

std::uint64_t inode_of(int fd) {
    struct stat st {};
    BOOST_REQUIRE(::fstat(fd, &st) == 0);
    return st.st_ino;
}

}  // namespace

BOOST_AUTO_TEST_CASE(own_listener_and_socketpair_are_in_the_dumps) {
    Fd listener{::socket(AF_INET, SOCK_STREAM, 0)};
    BOOST_REQUIRE(listener.fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(listener.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    BOOST_REQUIRE(::listen(listener.fd, 4) == 0);
    socklen_t len = sizeof a;
    BOOST_REQUIRE(::getsockname(listener.fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    int pair[2];
    BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
    Fd p0{pair[0]}, p1{pair[1]};

    NetlinkDiagReader reader;
    SocketTable table;
    BOOST_REQUIRE_MESSAGE(reader.dump(SocketFamily::tcp, AF_INET, table), reader.error());
    const SocketEntry* mine = nullptr;
    const SocketEndpoints* mine_ends = nullptr;
    for (std::size_t i = 0; i < table.size(); ++i)
        if (table[i].inode == inode_of(listener.fd)) {
            mine = &table[i];
            mine_ends = &table.endpoints(i);
        }
    BOOST_REQUIRE(mine != nullptr);
    BOOST_TEST(mine->state == tcp_listen);
    BOOST_TEST(mine_ends->local.port == ntohs(a.sin_port));
    BOOST_TEST(address_text(mine_ends->local).starts_with("127.0.0.1@"));
    BOOST_TEST(mine->uid == ::getuid());

    std::size_t before = table.size();
    BOOST_REQUIRE_MESSAGE(reader.dump(SocketFamily::unix_, 0, table), reader.error());
    int found = 0;
    for (std::size_t i = before; i < table.size(); ++i)
        if (table[i].inode == inode_of(p0.fd) || table[i].inode == inode_of(p1.fd)) {
            ++found;
            BOOST_TEST((table[i].family == SocketFamily::unix_));
            BOOST_TEST(table[i].state == tcp_established);
        }
    BOOST_TEST(found == 2);
    // The reader is reusable: a second dump of the same table sees the listener again.
    SocketTable again;
    BOOST_REQUIRE(reader.dump(SocketFamily::tcp, AF_INET, again));
    BOOST_TEST(again.size() >= 1u);
}
