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

BOOST_AUTO_TEST_CASE(seconds_param_is_a_whole_number_in_range) {
    BOOST_TEST(!parse_seconds_param("", 100).seconds.has_value());
    BOOST_TEST(parse_seconds_param("", 100).error.empty());
    BOOST_TEST(parse_seconds_param("seconds=60", 100).seconds.value_or(0) == 60);
    BOOST_TEST(parse_seconds_param("a=1&seconds=100", 100).seconds.value_or(0) == 100);
    for (const char* bad : {"seconds=0", "seconds=101", "seconds=-5", "seconds=1.5", "seconds=", "seconds=6x"}) {
        auto p = parse_seconds_param(bad, 100);
        BOOST_TEST(!p.seconds.has_value(), bad);
        BOOST_TEST(p.error.find("'seconds' must be a whole number from 1 to 100") != std::string::npos, p.error);
    }
    BOOST_TEST(parse_seconds_param("seconds=%zz", 100).error != "");
}
