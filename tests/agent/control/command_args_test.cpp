#include "agent/control/command_args.hpp"

#define BOOST_TEST_MODULE command_args
#include <boost/test/unit_test.hpp>

using namespace telehub::agent;
using json = nlohmann::json;

namespace {

template <class T>
std::string failure(const std::variant<T, CommandFailure>& v) {
    auto* f = std::get_if<CommandFailure>(&v);
    if (f == nullptr) return "";
    return f->code + ": " + f->message;
}

}  // namespace

BOOST_AUTO_TEST_CASE(args_must_be_an_object) {
    BOOST_TEST(failure(parse_args("[1]")) == "bad_argument: args must be a JSON object");
    BOOST_TEST(failure(parse_args("{")) == "bad_argument: args must be a JSON object");
    BOOST_TEST(failure(parse_args("{}")).empty());
}

BOOST_AUTO_TEST_CASE(integers_as_numbers_or_numeric_strings) {
    json a = json::parse(R"({"pid":8802,"s":"8802","neg":"-5","big":99999999999,"huge":18446744073709551615})");
    BOOST_TEST(std::get<std::int64_t>(int_arg(a, "pid", 1, 1 << 30)) == 8802);
    BOOST_TEST(std::get<std::int64_t>(int_arg(a, "s", 1, 1 << 30)) == 8802);
    BOOST_TEST(std::get<std::int64_t>(int_arg(a, "neg", -20, 19)) == -5);
    BOOST_TEST(std::get<std::int64_t>(int_arg(a, "absent", 1, 64, 9)) == 9);
    BOOST_TEST(failure(int_arg(a, "big", 1, 1 << 30)) == "bad_argument: argument 'big' 99999999999 is out of range (1..1073741824)");
    json neg = json::parse(R"({"pid":-3,"s":"99999999999999999999"})");
    BOOST_TEST(failure(int_arg(neg, "pid", 1, 100)) == "bad_argument: argument 'pid' -3 is out of range (1..100)");
    BOOST_TEST(failure(int_arg(neg, "s", 1, 100)) == "bad_argument: argument 's' is out of range (1..100)");
    BOOST_TEST(failure(int_arg(a, "huge", 1, 100)) == "bad_argument: argument 'huge' 18446744073709551615 is out of range (1..100)");
    BOOST_TEST(failure(int_arg(a, "absent", 1, 100)) == "bad_argument: argument 'absent' is missing: expected an integer (1..100)");
}

BOOST_AUTO_TEST_CASE(anything_else_names_the_field) {
    json a = json::parse(R"({"f":1.5,"b":true,"s":"12x","e":"","sp":" 12","o":{},"plus":"+3"})");
    BOOST_TEST(failure(int_arg(a, "f", 1, 10)) == "bad_argument: argument 'f' must be an integer, not number");
    BOOST_TEST(failure(int_arg(a, "b", 1, 10)) == "bad_argument: argument 'b' must be an integer, not boolean");
    BOOST_TEST(failure(int_arg(a, "s", 1, 10)) == "bad_argument: argument 's' must be an integer, not \"12x\"");
    BOOST_TEST(failure(int_arg(a, "e", 1, 10)) == "bad_argument: argument 'e' must be an integer, not \"\"");
    BOOST_TEST(failure(int_arg(a, "sp", 1, 100)) == "bad_argument: argument 'sp' must be an integer, not \" 12\"");
    BOOST_TEST(failure(int_arg(a, "o", 1, 10)) == "bad_argument: argument 'o' must be an integer, not object");
    BOOST_TEST(!failure(int_arg(a, "plus", 1, 10)).empty());
}

BOOST_AUTO_TEST_CASE(strings_and_string_lists) {
    json a = json::parse(R"({"cmd":"echo","empty":"","n":3,"args":["a","b c"],"bad":["a",1],"notlist":"x"})");
    BOOST_TEST(std::get<std::string>(string_arg(a, "cmd")) == "echo");
    BOOST_TEST(std::get<std::string>(string_arg(a, "format", std::string("csv"))) == "csv");
    BOOST_TEST(failure(string_arg(a, "empty")) == "bad_argument: argument 'empty' must not be empty");
    BOOST_TEST(failure(string_arg(a, "n")) == "bad_argument: argument 'n' must be a string, not number");
    BOOST_TEST(failure(string_arg(a, "absent")) == "bad_argument: argument 'absent' is missing: expected a non-empty string");
    BOOST_TEST((std::get<std::vector<std::string>>(string_list_arg(a, "args")) == std::vector<std::string>{"a", "b c"}));
    BOOST_TEST(std::get<std::vector<std::string>>(string_list_arg(a, "absent")).empty());
    BOOST_TEST(failure(string_list_arg(a, "bad")) == "bad_argument: argument 'bad' must hold only strings, not number");
    BOOST_TEST(failure(string_list_arg(a, "notlist")) == "bad_argument: argument 'notlist' must be an array of strings, not string");
    json nul = {{"cmd", std::string("ec\0ho", 5)}};
    BOOST_TEST(failure(string_arg(nul, "cmd")) == "bad_argument: argument 'cmd' must not contain a NUL character");
}
