#include "agent/stream/hub_url.hpp"

#define BOOST_TEST_MODULE hub_url
#include <boost/test/unit_test.hpp>

#include <stdexcept>

using namespace telehub::agent;

namespace {

std::string error_of(std::string_view text) {
    std::string error;
    auto url = parse_hub_url(text, error);
    BOOST_TEST(!url.has_value(), "'" << text << "' should be refused");
    BOOST_TEST(!error.empty());
    return error;
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(host_port_and_path) {
    std::string error;
    auto url = parse_hub_url("ws://hub.example:9000/ws/agent", error);
    BOOST_REQUIRE(url);
    BOOST_TEST(url->host == "hub.example");
    BOOST_TEST(url->port == "9000");
    BOOST_TEST(url->target == "/ws/agent");
    BOOST_TEST(url->host_header() == "hub.example:9000");
    BOOST_TEST(url->to_string() == "ws://hub.example:9000/ws/agent");
}

BOOST_AUTO_TEST_CASE(defaults_port_80_and_the_agent_path) {
    std::string error;
    auto url = parse_hub_url("WS://10.1.2.3", error);
    BOOST_REQUIRE(url);
    BOOST_TEST(url->host == "10.1.2.3");
    BOOST_TEST(url->port == "80");
    BOOST_TEST(url->target == "/ws/agent");
    BOOST_TEST(url->host_header() == "10.1.2.3");

    auto with_query = parse_hub_url("ws://h:1?x=1", error);
    BOOST_REQUIRE(with_query);
    BOOST_TEST(with_query->target == "/ws/agent?x=1");
    auto root = parse_hub_url("ws://h:1/", error);
    BOOST_REQUIRE(root);
    BOOST_TEST(root->target == "/");
}

BOOST_AUTO_TEST_CASE(ipv6_literal_in_brackets) {
    std::string error;
    auto url = parse_hub_url("ws://[::1]:8080/ws/agent", error);
    BOOST_REQUIRE(url);
    BOOST_TEST(url->host == "::1");
    BOOST_TEST(url->port == "8080");
    BOOST_TEST(url->host_header() == "[::1]:8080");
    BOOST_TEST(contains(error_of("ws://[::1:8080/x"), "not closed"));
    BOOST_TEST(contains(error_of("ws://[zz]:1/"), "IPv6"));
}

BOOST_AUTO_TEST_CASE(wss_means_tls_with_443_by_default) {
    std::string error;
    auto url = parse_hub_url("wss://hub.example/ws/agent", error);
    BOOST_REQUIRE(url);
    BOOST_TEST(url->tls);
    BOOST_TEST(url->port == "443");
    BOOST_TEST(url->host_header() == "hub.example");
    BOOST_TEST(url->to_string() == "wss://hub.example:443/ws/agent");
    auto other = parse_hub_url("WSS://hub:8443", error);
    BOOST_REQUIRE(other);
    BOOST_TEST(other->host_header() == "hub:8443");
    BOOST_TEST(other->target == "/ws/agent");
    auto plain = parse_hub_url("ws://hub", error);
    BOOST_REQUIRE(plain);
    BOOST_TEST(!plain->tls);
    BOOST_TEST(plain->port == "80");
}

BOOST_AUTO_TEST_CASE(bad_urls_name_what_is_wrong) {
    BOOST_TEST(contains(error_of(""), "empty"));
    BOOST_TEST(contains(error_of("hub:9000"), "missing scheme"));
    BOOST_TEST(contains(error_of("http://hub:9000/ws/agent"), "scheme 'http'"));
    BOOST_TEST(contains(error_of("ws://:9000/ws/agent"), "host is missing"));
    BOOST_TEST(contains(error_of("ws:///ws/agent"), "host is missing"));
    BOOST_TEST(contains(error_of("ws://hub:/x"), "port after ':' is missing"));
    BOOST_TEST(contains(error_of("ws://hub:0/x"), "port '0'"));
    BOOST_TEST(contains(error_of("ws://hub:65536/x"), "port '65536'"));
    BOOST_TEST(contains(error_of("ws://hub:80x/x"), "port '80x'"));
    BOOST_TEST(contains(error_of("ws://hub:-1/x"), "port '-1'"));
    BOOST_TEST(contains(error_of("ws://hu b:80/x"), "space"));
    BOOST_TEST(contains(error_of("ws://user:pw@hub:80/x"), "--token"));
    BOOST_TEST(contains(error_of("ws://hub:80/x#frag"), "fragment"));
    BOOST_TEST(contains(error_of("ws://hub!:80/x"), "'hub!'"));
}

BOOST_AUTO_TEST_CASE(startup_helper_throws_naming_the_flag_and_value) {
    try {
        hub_url_or_throw("ws://hub:99999/ws/agent");
        BOOST_FAIL("expected an exception");
    } catch (const std::invalid_argument& e) {
        std::string what = e.what();
        BOOST_TEST(contains(what, "--hub 'ws://hub:99999/ws/agent'"));
        BOOST_TEST(contains(what, "99999"));
    }
    BOOST_TEST(hub_url_or_throw("ws://127.0.0.1:1/a").port == "1");
}

BOOST_AUTO_TEST_CASE(a_list_of_hubs_is_every_url_in_order_and_a_bad_one_is_named) {
    auto urls = hub_urls_or_throw("ws://127.0.0.1:1/a, wss://hub-b.example:8443/ws/agent,ws://[::1]:3/c");
    BOOST_REQUIRE(urls.size() == 3u);
    BOOST_TEST(urls[0].port == "1");
    BOOST_TEST(urls[1].host == "hub-b.example");
    BOOST_TEST(urls[1].tls);
    BOOST_TEST(urls[2].target == "/c");
    BOOST_TEST(hub_urls_or_throw("ws://127.0.0.1:1/a").size() == 1u);
    for (const char* bad : {"ws://127.0.0.1:1/a,,ws://127.0.0.1:2/b", "ws://127.0.0.1:1/a,", "ws://127.0.0.1:1/a,http://x/"}) {
        try {
            hub_urls_or_throw(bad);
            BOOST_ERROR("accepted " << bad);
        } catch (const std::invalid_argument& e) {
            BOOST_TEST(contains(e.what(), "--hub"), e.what());
        }
    }
}
