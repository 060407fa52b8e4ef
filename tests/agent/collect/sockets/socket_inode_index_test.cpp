#include "agent/collect/sockets/socket_inode_index.hpp"

#define BOOST_TEST_MODULE socket_inode_index
#include <boost/test/unit_test.hpp>

using telehub::agent::SocketInodeIndex;

BOOST_AUTO_TEST_CASE(finds_what_was_inserted_and_rejects_duplicates) {
    SocketInodeIndex idx;
    idx.reset(4);
    BOOST_TEST(idx.insert(100, 0));
    BOOST_TEST(idx.insert(101, 1));
    BOOST_TEST(!idx.insert(100, 7));  // first position wins
    BOOST_TEST(!idx.insert(0, 2));    // inode 0 names no file
    BOOST_TEST(idx.find(100) == 0u);
    BOOST_TEST(idx.find(101) == 1u);
    BOOST_TEST(idx.find(102) == SocketInodeIndex::npos);
    BOOST_TEST(idx.find(0) == SocketInodeIndex::npos);
    BOOST_TEST(idx.size() == 2u);
}

BOOST_AUTO_TEST_CASE(grows_past_the_announced_size_and_resets_clean) {
    SocketInodeIndex idx;
    idx.reset(10);
    for (std::uint32_t i = 0; i < 5000; ++i) BOOST_REQUIRE(idx.insert(1000 + 3 * i, i));
    for (std::uint32_t i = 0; i < 5000; ++i) BOOST_REQUIRE(idx.find(1000 + 3 * i) == i);
    BOOST_TEST(idx.find(1001) == SocketInodeIndex::npos);
    idx.reset(10);
    BOOST_TEST(idx.size() == 0u);
    BOOST_TEST(idx.find(1000) == SocketInodeIndex::npos);
}

BOOST_AUTO_TEST_CASE(an_inode_past_32_bits_is_not_confused_with_its_low_half) {
    SocketInodeIndex index;
    index.reset(4);
    const std::uint64_t wide = (std::uint64_t{1} << 32) + 5;
    BOOST_TEST(index.insert(5, 1));
    BOOST_TEST(index.insert(wide, 2));
    BOOST_TEST(!index.insert(wide, 3));
    BOOST_TEST(index.find(5) == 1u);
    BOOST_TEST(index.find(wide) == 2u);
    BOOST_TEST(index.find(wide + 1) == SocketInodeIndex::npos);
    BOOST_TEST(index.size() == 2u);
    for (std::uint32_t i = 10; i < 200; ++i) BOOST_TEST_REQUIRE(index.insert(i, i));  // grows, keeps the wide one
    BOOST_TEST(index.find(wide) == 2u);
    index.reset(4);
    BOOST_TEST(index.find(wide) == SocketInodeIndex::npos);
    BOOST_TEST(index.size() == 0u);
}
