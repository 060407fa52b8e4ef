#include "hub/http/query_string.hpp"

#define BOOST_TEST_MODULE query_string
#include <boost/test/unit_test.hpp>

using namespace telehub::hub;

BOOST_AUTO_TEST_CASE(url_decode_handles_escapes) {
    BOOST_TEST(*url_decode("a%20b+c", true) == "a b c");
    BOOST_TEST(*url_decode("a+b", false) == "a+b");
    BOOST_TEST(!url_decode("abc%2", false));
    BOOST_TEST(!url_decode("%g0", false));
}

BOOST_AUTO_TEST_CASE(query_param_finds_decodes_and_flags_bad_values) {
    bool bad = false;
    BOOST_TEST(*query_param("a=1&name=x%20y&b=2", "name", bad) == "x y");
    BOOST_TEST(!bad);
    BOOST_TEST(!query_param("a=1&b=2", "name", bad));
    BOOST_TEST(query_param("name", "name", bad)->empty());
    BOOST_TEST(!bad);
    query_param("name=%zz", "name", bad);
    BOOST_TEST(bad);
}
