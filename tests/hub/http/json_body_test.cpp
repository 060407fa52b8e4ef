#include "hub/http/json_body.hpp"

#define BOOST_TEST_MODULE json_body
#include <boost/test/unit_test.hpp>

using namespace telehub::hub;

namespace {

std::string problem(std::string_view body) {
    auto r = parse_json_object(body);
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string();
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_object_is_parsed) {
    auto r = parse_json_object(R"( {"pid": 5} )");
    BOOST_REQUIRE(std::holds_alternative<nlohmann::json>(r));
    BOOST_TEST(std::get<nlohmann::json>(r)["pid"] == 5);
}

BOOST_AUTO_TEST_CASE(what_is_wrong_is_said) {
    BOOST_TEST(problem("") == "it is empty");
    BOOST_TEST(problem(" \n") == "it is empty");
    BOOST_TEST(problem("[1,2]") == "it is a JSON array");
    BOOST_TEST(problem("42") == "it is a JSON number");
    const auto form = problem("priority=5");
    BOOST_TEST(form.starts_with("it is not JSON: at byte 1: syntax error"), form);
    BOOST_TEST(form.find("json.exception") == std::string::npos, form);
    const auto cut = problem(R"({"pid": 5)");
    BOOST_TEST(cut == "it is not JSON: at byte 10: syntax error while parsing object - unexpected end of input; expected '}'", cut);
    const auto not_utf8 = problem("{\"cmd\": \"\xff\"}");
    BOOST_TEST(not_utf8.find("UTF-8") != std::string::npos, not_utf8);
    // A long bad string is not echoed whole.
    BOOST_TEST(problem("{\"cmd\": \"" + std::string(5000, 'a') + "\xff\"}").size() < 300u);
}
