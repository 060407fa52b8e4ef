#include "agent/collect/sockets/netns_counters.hpp"

#define BOOST_TEST_MODULE netns_counters
#include <boost/test/unit_test.hpp>

#include <string>

using namespace telehub::agent;

namespace {

// A sockstat of Linux 6.x, with the whole kernel's figures as arguments.
std::string sockstat(int used, int tcp_inuse, int orphan, int tw, int alloc, int mem) {
    return "sockets: used " + std::to_string(used) + "\nTCP: inuse " + std::to_string(tcp_inuse) + " orphan " +
           std::to_string(orphan) + " tw " + std::to_string(tw) + " alloc " + std::to_string(alloc) + " mem " +
           std::to_string(mem) + "\nUDP: inuse 2 mem " + std::to_string(mem) + "\nUDPLITE: inuse 0\nRAW: inuse 0\n" +
           "FRAG: inuse 0 memory " + std::to_string(mem) + "\n";
}

std::string counts(const std::string& text) {
    std::string out;
    append_sockstat_counts(text, out);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(keeps_the_namespace_figures_in_order) {
    BOOST_TEST(counts(sockstat(7, 5, 1, 3, 90, 12)) ==
               "sockets: used 7\nTCP: inuse 5 tw 3\nUDP: inuse 2\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0\n");
}

BOOST_AUTO_TEST_CASE(moves_with_what_the_namespace_does) {
    const std::string base = counts(sockstat(7, 5, 1, 3, 90, 12));
    BOOST_TEST(counts(sockstat(8, 5, 1, 3, 90, 12)) != base);  // a socket made
    BOOST_TEST(counts(sockstat(7, 6, 1, 3, 90, 12)) != base);  // hashed: listen, connect
    BOOST_TEST(counts(sockstat(7, 5, 1, 4, 90, 12)) != base);  // one more in TIME_WAIT
}

BOOST_AUTO_TEST_CASE(ignores_the_whole_kernels_figures) {
    // orphans, allocated sockets and memory are counted for every namespace together
    BOOST_TEST(counts(sockstat(7, 5, 1, 3, 90, 12)) == counts(sockstat(7, 5, 4, 3, 250, 40)));
}

BOOST_AUTO_TEST_CASE(sockstat6_and_odd_spacing) {
    BOOST_TEST(counts("TCP6: inuse 4\nUDP6:  inuse 1\n\n") == "TCP6: inuse 4\nUDP6: inuse 1\n");
    BOOST_TEST(counts("") == "");
    BOOST_TEST(counts("TCP: inuse") == "TCP: inuse \n");  // a cut line still compares
}
