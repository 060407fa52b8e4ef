// The check run before toml++ 3.3 reads TOML text: a character outside ASCII
// between tokens, or first after a line-ending backslash in a multi-line
// basic string, is refused with its line and column (there toml++ reaches
// undefined behaviour); strings and comments may hold any UTF-8.
#include "telehub/toml_text_check.hpp"

#define BOOST_TEST_MODULE toml_text_check
#include <boost/test/unit_test.hpp>

#include <string>

using telehub::toml_text_problem;

namespace {

// "line:column" of the problem, "" when there is none.
std::string where(const std::string& text) {
    auto p = toml_text_problem(text);
    return p ? std::to_string(p->line) + ":" + std::to_string(p->column) : "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(utf8_in_strings_comments_and_quoted_keys_is_fine) {
    for (const std::string text : {
             "name = \"caf\xc3\xa9\"  # \xc3\xa9t\xc3\xa9\n",
             "path = 'C:\\caf\xc3\xa9'\n",
             "\"cl\xc3\xa9\" = 1\n'\xc2\xa7' = 2\n",
             "s = \"\"\"\n\xc2\xa7 at a line's start, no backslash\"\"\"\n",
             "s = '''\\\n\xc2\xa7'''\n",                        // a literal string has no line-ending backslash
             "s = \"\"\"a\\\\\n\xc2\xa7\"\"\"\n",               // an escaped backslash, then a line break
             "s = \"\"\"a\\\n   b \xc2\xa7\"\"\"\n",             // ASCII first after the backslash
             "s = \"\"\"ends in quotes\"\"\"\"\"\n# \xc3\xa9\n",  // two quotes of content before the end
             "a = \"\\\"\xc3\xa9\"\n",                          // an escaped quote does not end the string
             "\xef\xbb\xbfname = 1\n",                          // a byte order mark
             "# only a comment: \xe2\x80\x83\n",
             "",
         })
        BOOST_TEST(where(text) == "", text);
}

BOOST_AUTO_TEST_CASE(outside_ascii_between_tokens_is_refused_where_it_is) {
    BOOST_TEST(where("name \xc3\xa9= 1\n") == "1:6");
    BOOST_TEST(where("a = 1\nb = \xc3\xa9\n") == "2:5");
    BOOST_TEST(where("a = \"x\" \xef\xbb\xb5\n") == "1:9");  // U+FEF5, the fuzzer's input
    BOOST_TEST(where("s = \"\"\"x\"\"\"\xc2\xa7\n") == "1:12");  // after the string ended
    BOOST_TEST(where("# \xc3\xa9\n\xc3\xa9") == "2:1");      // the comment ended with its line
    BOOST_TEST(where("a = \"unclosed\n\xc3\xa9") == "2:1");
    auto p = toml_text_problem("x\xe2\x80\x83= 1");  // an em space
    BOOST_REQUIRE(p);
    BOOST_TEST(p->what.find("outside any string or comment") != std::string::npos, p->what);
}

BOOST_AUTO_TEST_CASE(outside_ascii_first_after_a_line_ending_backslash_is_refused) {
    // toml++ issue 190's document, which is valid TOML.
    BOOST_TEST(where("s = \"\"\"\\\n\xc2\xa7\"\"\"\n") == "2:1");
    BOOST_TEST(where("s = \"\"\"a \\  \r\n\n    \xc2\xa7\"\"\"\n") == "3:5");
    auto p = toml_text_problem("s = \"\"\"\\\n\xc2\xa7\"\"\"\n");
    BOOST_REQUIRE(p);
    BOOST_TEST(p->what.find("\\uXXXX") != std::string::npos, p->what);
}

BOOST_AUTO_TEST_CASE(the_stand_in_has_one_backtick_per_code_point_and_ascii_as_it_was) {
    using telehub::toml_ascii_stand_in;
    BOOST_TEST(toml_ascii_stand_in("name = \"caf\xc3\xa9\" # \xe2\x82\xac\n") == "name = \"caf`\" # `\n");
    BOOST_TEST(toml_ascii_stand_in("\xf0\x9f\x99\x82!") == "`!");                  // four bytes, one code point
    BOOST_TEST(toml_ascii_stand_in("\xff\x80\xc3") == "```");                      // bytes that are not UTF-8
    BOOST_TEST(toml_ascii_stand_in("a\xe2\x82") == "a`");                          // cut short at the end
    BOOST_TEST(toml_ascii_stand_in("plain = 'ascii'\n") == "plain = 'ascii'\n");
}
