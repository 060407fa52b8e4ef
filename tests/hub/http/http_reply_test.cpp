#include "hub/http/http_reply.hpp"

#define BOOST_TEST_MODULE http_reply
#include <boost/test/unit_test.hpp>

using namespace telehub::hub;

BOOST_AUTO_TEST_CASE(allow_lists_head_wherever_get_is) {
    BOOST_TEST(allow_header("GET") == "GET, HEAD");
    BOOST_TEST(allow_header("GET, PUT") == "GET, HEAD, PUT");
    BOOST_TEST(allow_header("GET, POST, DELETE, PATCH") == "GET, HEAD, POST, DELETE, PATCH");
    BOOST_TEST(allow_header("GET, HEAD") == "GET, HEAD", "listed once");
    BOOST_TEST(allow_header("DELETE") == "DELETE", "no GET, no HEAD");
    BOOST_TEST(allow_header("POST,GET") == "POST, GET, HEAD");
}
