#include "hub/api/filter_params.hpp"

#define BOOST_TEST_MODULE filter_params
#include <boost/test/unit_test.hpp>

#include <variant>

#include <nlohmann/json.hpp>

using namespace telehub::hub;

namespace {

HostSummary host(std::string id, std::string name, double cpu) {
    HostSummary s;
    s.host_id = std::move(id);
    s.hostname = std::move(name);
    s.cpu = cpu;
    return s;
}

const FilterError* error_of(const FilterResult& r) { return std::get_if<FilterError>(&r); }

}  // namespace

BOOST_AUTO_TEST_CASE(query_parses_range_and_name) {
    auto r = parse_filter_query("min_cpu=50&max_cpu=90.5&q=Web%2D1&other=x");
    BOOST_REQUIRE(std::holds_alternative<HostFilter>(r));
    auto f = std::get<HostFilter>(r);
    BOOST_TEST(*f.min_cpu == 50.0);
    BOOST_TEST(*f.max_cpu == 90.5);
    BOOST_TEST(f.q == "web-1");
    BOOST_TEST(f.matches(host("abc", "WEB-1.example", 60)));
    BOOST_TEST(!f.matches(host("abc", "WEB-1.example", 40)));
    BOOST_TEST(!f.matches(host("abc", "WEB-1.example", 95)));
    BOOST_TEST(!f.matches(host("abc", "db-1", 60)));
    BOOST_TEST(f.matches(host("my-web-1-id", "db", 60)));
}

BOOST_AUTO_TEST_CASE(empty_query_matches_everything) {
    auto r = parse_filter_query("");
    BOOST_REQUIRE(std::holds_alternative<HostFilter>(r));
    BOOST_TEST(std::get<HostFilter>(r).matches(host("a", "b", 0)));
}

BOOST_AUTO_TEST_CASE(bad_values_name_the_parameter) {
    BOOST_TEST(error_of(parse_filter_query("min_cpu=abc"))->param == "min_cpu");
    BOOST_TEST(error_of(parse_filter_query("max_cpu="))->param == "max_cpu");
    BOOST_TEST(error_of(parse_filter_query("max_cpu=12x"))->param == "max_cpu");
    BOOST_TEST(error_of(parse_filter_query("min_cpu=-5"))->param == "min_cpu");
    BOOST_TEST(error_of(parse_filter_query("min_cpu=nan"))->param == "min_cpu");
    BOOST_TEST(error_of(parse_filter_query("min_cpu=90&max_cpu=10"))->param == "min_cpu");
    BOOST_TEST(error_of(parse_filter_query("q=%zz"))->param == "q");
    auto result = parse_filter_query("min_cpu=abc");
    auto e = error_of(result);
    BOOST_TEST(e->message.find("min_cpu") != std::string::npos);
    BOOST_TEST(e->message.find("abc") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_filter_from_subscribe) {
    auto r = parse_filter_json(nlohmann::json{{"min_cpu", 80}, {"q", "DB"}});
    BOOST_REQUIRE(std::holds_alternative<HostFilter>(r));
    auto f = std::get<HostFilter>(r);
    BOOST_TEST(f.matches(host("db-2", "", 85)));
    BOOST_TEST(!f.matches(host("db-2", "", 79.9)));
    BOOST_TEST(std::holds_alternative<HostFilter>(parse_filter_json(nullptr)));
    BOOST_TEST(error_of(parse_filter_json(nlohmann::json{{"min_cpu", "80"}}))->param == "min_cpu");
    BOOST_TEST(error_of(parse_filter_json(nlohmann::json{{"q", 3}}))->param == "q");
    BOOST_TEST(error_of(parse_filter_json(nlohmann::json::array()))->param == "filter");
}

BOOST_AUTO_TEST_CASE(equal_filters_share_a_key) {
    auto a = std::get<HostFilter>(parse_filter_query("min_cpu=80&q=web"));
    auto b = std::get<HostFilter>(parse_filter_json(nlohmann::json{{"min_cpu", 80.0}, {"q", "WEB"}}));
    auto c = std::get<HostFilter>(parse_filter_query("min_cpu=81&q=web"));
    BOOST_TEST(a.key() == b.key());
    BOOST_TEST(a.key() != c.key());
}

BOOST_AUTO_TEST_CASE(container_keeps_hosts_listing_it) {
    auto r = parse_filter_query("container=web%2Dfrontend");
    BOOST_REQUIRE(std::holds_alternative<HostFilter>(r));
    auto f = std::get<HostFilter>(r);
    BOOST_TEST(f.container == "web-frontend");
    auto with = host("a", "a", 10);
    with.container_names = {"db", "web-frontend"};
    auto without = host("b", "b", 10);
    without.container_names = {"web-frontend-2"};  // exact names only
    BOOST_TEST(f.matches(with));
    BOOST_TEST(!f.matches(without));
    BOOST_TEST(error_of(parse_filter_query("container="))->param == "container");
    BOOST_TEST(error_of(parse_filter_json(nlohmann::json{{"container", 5}}))->param == "container");
    auto j = parse_filter_json(nlohmann::json{{"container", "db"}});
    BOOST_REQUIRE(std::holds_alternative<HostFilter>(j));
    BOOST_TEST(std::get<HostFilter>(j).matches(with));
    // Filters differing only in how q and container split a string share no key.
    HostFilter a, b;
    a.q = "x|y";
    b.q = "x";
    b.container = "y";
    BOOST_TEST(a.key() != b.key());
}

BOOST_AUTO_TEST_CASE(subscribe_message_gives_filter_and_detail_hosts) {
    auto r = parse_subscribe(R"({"type":"subscribe","filter":{"min_cpu":10,"q":"WEB"},"detail":["web-1","db-2"]})");
    BOOST_REQUIRE(std::holds_alternative<Subscription>(r));
    const auto& sub = std::get<Subscription>(r);
    BOOST_TEST(*sub.filter.min_cpu == 10.0);
    BOOST_TEST(sub.filter.q == "web");
    BOOST_TEST(sub.detail == (std::vector<std::string>{"web-1", "db-2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(subscribe_message_refusals_name_the_problem) {
    auto code = [](std::string_view text) {
        auto r = parse_subscribe(text);
        return std::holds_alternative<SubscribeError>(r) ? std::get<SubscribeError>(r).code : std::string("accepted");
    };
    BOOST_TEST(code("{") == "bad_json");
    BOOST_TEST(code("[]") == "wrong_type");
    BOOST_TEST(code("{}") == "missing_field");
    BOOST_TEST(code(R"({"type":"hello"})") == "unknown_type");
    BOOST_TEST(code(R"({"type":"subscribe","filter":{"min_cpu":200}})") == "bad_value");
    BOOST_TEST(code(R"({"type":"subscribe","detail":"web-1"})") == "wrong_type");
    BOOST_TEST(code(R"({"type":"subscribe","detail":[1]})") == "wrong_type");
    std::string many = R"({"type":"subscribe","detail":[)";
    for (std::size_t i = 0; i <= max_detail_hosts; ++i) many += (i ? ",\"h\"" : "\"h\"");
    BOOST_TEST(code(many + "]}") == "bad_value");
}
