#include "hub/api/host_route.hpp"

#define BOOST_TEST_MODULE host_route
#include <boost/test/unit_test.hpp>

using namespace telehub::hub;

BOOST_AUTO_TEST_CASE(host_id_is_percent_decoded) {
    auto r = parse_host_route("/api/hosts/web%2D1%20a");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->host_id == "web-1 a");
    BOOST_TEST(!r->history);
}

BOOST_AUTO_TEST_CASE(history_suffix_is_split_off) {
    auto r = parse_host_route("/api/hosts/db-2/history");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->host_id == "db-2");
    BOOST_TEST(r->history);
    // A host named "history" is a host, not a suffix.
    auto h = parse_host_route("/api/hosts/history");
    BOOST_REQUIRE(h);
    BOOST_TEST(h->host_id == "history");
    BOOST_TEST(!h->history);
}

BOOST_AUTO_TEST_CASE(an_id_with_a_slash_is_reached_percent_encoded) {
    // The hub accepts any id at an agent's hello; each must be reachable.
    auto r = parse_host_route("/api/hosts/a%2Fb/history");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->host_id == "a/b");
    BOOST_TEST(r->history);
    BOOST_TEST(parse_host_route("/api/hosts/a%2fb").value_or(HostRoute{}).host_id == "a/b");
}

BOOST_AUTO_TEST_CASE(ids_that_are_empty_or_malformed_and_raw_slashes_are_no_route) {
    BOOST_TEST(!parse_host_route("/api/hosts/"));
    BOOST_TEST(!parse_host_route("/api/hosts//history"));
    BOOST_TEST(!parse_host_route("/api/hosts/a/b"));
    BOOST_TEST(!parse_host_route("/api/hosts/%zz"));
    BOOST_TEST(!parse_host_route("/api/host/web-1"));
}
