// Which routes are served off the io threads: the ones whose replies grow
// with the fleet or with a host's stored history, and no other.
#include "hub/api/host_route.hpp"

#define BOOST_TEST_MODULE long_reply_route
#include <boost/test/unit_test.hpp>

using namespace telehub::hub;

BOOST_AUTO_TEST_CASE(host_lists_histories_and_fleet_processes_are_long) {
    BOOST_TEST(long_reply_route("/api/hosts"));
    BOOST_TEST(long_reply_route("/api/fleet/processes"));
    BOOST_TEST(long_reply_route("/api/hosts/web-1/history"));
    BOOST_TEST(long_reply_route("/api/hosts/web%201/history"));
}

BOOST_AUTO_TEST_CASE(single_records_small_lists_and_unknown_paths_are_not) {
    BOOST_TEST(!long_reply_route("/api/hosts/web-1"));
    BOOST_TEST(!long_reply_route("/api/hosts/history"));  // a host named "history"
    BOOST_TEST(!long_reply_route("/api/alerts"));
    BOOST_TEST(!long_reply_route("/api/stats"));
    BOOST_TEST(!long_reply_route("/healthz"));
    BOOST_TEST(!long_reply_route("/api/hosts/"));
    BOOST_TEST(long_reply_route("/api/hosts/web%2F1/history"));  // host "web/1"
    BOOST_TEST(!long_reply_route("/api/hosts/%zz/history"));      // a 404, answered at once
    BOOST_TEST(!long_reply_route("/api/hostsx"));
    BOOST_TEST(!long_reply_route("/index.html"));
}
