#include "telehub/json_writer.hpp"

#define BOOST_TEST_MODULE json_writer
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using namespace telehub;
using nlohmann::json;

namespace {

std::string string_json(std::string_view v) {
    std::string out;
    append_json_string(out, v);
    return out;
}

template <class T>
std::string number_json(T v) {
    std::string out;
    append_json_number(out, v);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_byte_below_0x20_and_the_quote_and_backslash_read_back_as_written) {
    std::string all;
    for (int c = 1; c < 0x20; ++c) all.push_back(static_cast<char>(c));
    all += "\"\\/plain text";
    all.push_back('\0');
    const auto text = string_json(all);
    BOOST_TEST(json::parse(text).get<std::string>() == all);
    BOOST_TEST(text.find('\n') == std::string::npos);
    BOOST_TEST(string_json("a\"b") == R"("a\"b")");
    BOOST_TEST(string_json("\x1f") == R"("\u001f")");
}

BOOST_AUTO_TEST_CASE(utf8_passes_through_unchanged) {
    const std::string name = "d\xc3\xa9mon-\xe6\x97\xa5\xe6\x9c\xac-\xf0\x9f\x9a\x80";
    BOOST_TEST(string_json(name) == "\"" + name + "\"");
    BOOST_TEST(json::parse(string_json(name)).get<std::string>() == name);
}

BOOST_AUTO_TEST_CASE(numbers_read_back_exactly_and_non_finite_ones_are_null) {
    BOOST_TEST(number_json(std::numeric_limits<std::uint64_t>::max()) == "18446744073709551615");
    BOOST_TEST(number_json(std::int64_t{-42}) == "-42");
    BOOST_TEST(number_json(0.1) == "0.1");
    for (double v : {0.1, 1.0 / 3, 97.25, 1e-300, 123456789.125, -0.5})
        BOOST_TEST(json::parse(number_json(v)).get<double>() == v);
    BOOST_TEST(number_json(std::numeric_limits<double>::quiet_NaN()) == "null");
    BOOST_TEST(number_json(std::numeric_limits<double>::infinity()) == "null");
    BOOST_TEST(number_json(-std::numeric_limits<float>::infinity()) == "null");
}

BOOST_AUTO_TEST_CASE(objects_nest_through_key_and_an_empty_one_is_braces) {
    std::string out;
    JsonObjectWriter outer(out);
    outer.str("name", "x").num("n", 3).flag("on", true).flag("off", false);
    JsonObjectWriter inner(outer.key("inner"));
    inner.close();
    outer.key("list").append("[1,2]");
    outer.close();
    BOOST_TEST(out == R"({"name":"x","n":3,"on":true,"off":false,"inner":{},"list":[1,2]})");
    BOOST_TEST(json::parse(out)["inner"].empty());

    std::string empty;
    JsonObjectWriter(empty).close();
    BOOST_TEST(empty == "{}");
}

BOOST_AUTO_TEST_CASE(arrays_separate_their_items_and_an_empty_one_is_brackets) {
    std::string out;
    append_json_array(out, std::vector<std::string>{"a", "b\"c"}, append_json_string);
    BOOST_TEST(out == R"(["a","b\"c"])");
    out.clear();
    append_json_array(out, std::vector<double>{}, append_json_number<double>);
    BOOST_TEST(out == "[]");
    out.clear();
    append_json_array(out, std::vector<double>{1.5}, append_json_number<double>);
    BOOST_TEST(out == "[1.5]");
}
