#define BOOST_TEST_MODULE socket_table
#include <boost/test/unit_test.hpp>

#include "agent/collect/socket_tables/socket_table.hpp"

using namespace telehub::agent;

namespace {

ParsedSocket sock(std::uint64_t inode, std::uint16_t local_port) {
    ParsedSocket s;
    s.entry.inode = inode;
    s.ends.local.port = local_port;
    s.ends.remote.port = static_cast<std::uint16_t>(local_port + 1);
    return s;
}

SocketTable filled(bool keep, std::initializer_list<std::uint64_t> inodes) {
    SocketTable t(keep);
    for (std::uint64_t i : inodes) {
        auto s = sock(i, static_cast<std::uint16_t>(i * 10));
        t.push_back(s.entry, s.ends);
    }
    return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(addresses_kept_only_when_asked) {
    SocketTable with = filled(true, {1, 2});
    SocketTable without = filled(false, {1, 2});
    BOOST_TEST(with.endpoints(1).local.port == 20);
    BOOST_TEST(with.endpoints(1).remote.port == 21);
    BOOST_TEST(without.size() == 2u);
    BOOST_TEST(without[1].inode == 2u);
    BOOST_TEST(without.endpoints(1).local.port == 0);
    BOOST_TEST(without.endpoints(1).remote.ip_is_zero());
}

BOOST_AUTO_TEST_CASE(keep_if_moves_rows_and_addresses_together) {
    SocketTable t = filled(true, {1, 2, 3, 4});
    std::size_t kept = t.keep_if([&](std::size_t i) { return t[i].inode % 2 == 0; });
    BOOST_TEST(kept == 2u);
    BOOST_REQUIRE(t.size() == 2u);
    BOOST_TEST(t[0].inode == 2u);
    BOOST_TEST(t.endpoints(0).local.port == 20);
    BOOST_TEST(t[1].inode == 4u);
    BOOST_TEST(t.endpoints(1).local.port == 40);
}

BOOST_AUTO_TEST_CASE(append_assign_truncate_and_netns) {
    SocketTable t = filled(true, {1, 2, 3});
    SocketTable cache;
    cache.assign(t, 1);
    BOOST_TEST(cache.size() == 2u);
    BOOST_TEST(cache.endpoints(0).local.port == 20);
    t.truncate(1);
    t.append(cache);
    t.set_netns(1, 7);
    BOOST_REQUIRE(t.size() == 3u);
    BOOST_TEST(t[0].netns == 0);
    BOOST_TEST(t[2].netns == 7);
    BOOST_TEST(t.endpoints(2).local.port == 30);

    // A cache made from a table without addresses has none either.
    SocketTable lean = filled(false, {5, 6});
    cache.assign(lean, 0);
    BOOST_TEST(!cache.keeps_endpoints());
    BOOST_TEST(cache.endpoints(1).local.port == 0);
    // Appended into a table that keeps them, such rows read as zeros.
    t.append(lean);
    BOOST_REQUIRE(t.size() == 5u);
    BOOST_TEST(t[4].inode == 6u);
    BOOST_TEST(t.endpoints(4).local.port == 0);
    t.clear();
    BOOST_TEST(t.empty());
}
