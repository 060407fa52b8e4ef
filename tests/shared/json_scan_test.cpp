#include "telehub/json_scan.hpp"

#define BOOST_TEST_MODULE json_scan
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>

using namespace telehub;

namespace {

// The number at the start of `text`, or nullopt when the cursor broke or saw none.
std::optional<JsonNumber> number_of(const std::string& text) {
    JsonScan scan(text);
    JsonNumber n;
    if (!scan.number(n) || scan.broken()) return std::nullopt;
    return n;
}

std::optional<std::string> string_of(const std::string& text) {
    JsonScan scan(text);
    std::string out;
    if (!scan.string(out) || scan.broken()) return std::nullopt;
    return out;
}

bool skips(const std::string& text) {
    JsonScan scan(text);
    return scan.skip_value() && scan.at_end();
}

}  // namespace

BOOST_AUTO_TEST_CASE(integers_keep_all_64_bits_and_longer_ones_are_refused) {
    auto max = number_of("18446744073709551615");
    BOOST_REQUIRE(max);
    BOOST_TEST((max->kind == JsonNumber::Kind::non_negative));
    BOOST_TEST(max->magnitude == 18446744073709551615ULL);
    auto min = number_of("-9223372036854775808");
    BOOST_REQUIRE(min);
    BOOST_TEST((min->kind == JsonNumber::Kind::negative));
    BOOST_TEST(min->magnitude == 9223372036854775808ULL);
    BOOST_TEST(!number_of("18446744073709551616"));
    BOOST_TEST(!number_of("-9223372036854775809"));
    BOOST_TEST(!number_of("123456789012345678901234567890"));
    auto zero = number_of("-0");
    BOOST_REQUIRE(zero);
    BOOST_TEST((zero->kind == JsonNumber::Kind::non_negative));
    BOOST_TEST(zero->magnitude == 0u);
}

BOOST_AUTO_TEST_CASE(a_fraction_or_exponent_makes_a_real_number) {
    for (const char* text : {"1.0", "1e0", "1E+0", "10e-1", "0.1e1"}) {
        auto n = number_of(text);
        BOOST_TEST_CONTEXT(text) {
            BOOST_REQUIRE(n);
            BOOST_TEST((n->kind == JsonNumber::Kind::real));
            BOOST_TEST(n->value == 1.0);
        }
    }
    // Too small for a double is zero; too large is refused.
    auto tiny = number_of("2.5e-400");
    BOOST_REQUIRE(tiny);
    BOOST_TEST(tiny->value == 0.0);
    auto tiny_fraction = number_of("-0.000001e-399");
    BOOST_REQUIRE(tiny_fraction);
    BOOST_TEST(tiny_fraction->value == 0.0);
    BOOST_TEST(std::signbit(tiny_fraction->value));
    BOOST_TEST(!number_of("1e400"));
    BOOST_TEST(!number_of("-1000e397"));
}

BOOST_AUTO_TEST_CASE(texts_that_are_not_json_numbers_are_refused) {
    for (const char* text : {"-", "1.", "1.e5", "1e", "1e+", "-x", "--1"}) BOOST_TEST(!number_of(text), text);
    // Not a number at all: nothing is consumed and the cursor is not broken.
    for (const char* text : {".5", "+1", "x", "\"1\""}) {
        JsonScan scan(text);
        JsonNumber n;
        BOOST_TEST(!scan.number(n), text);
        BOOST_TEST(!scan.broken(), text);
        BOOST_TEST(scan.offset() == 0u, text);
    }
    // A leading zero ends the number: what follows is for the caller to refuse.
    JsonScan scan("01");
    JsonNumber n;
    BOOST_TEST(scan.number(n));
    BOOST_TEST(n.magnitude == 0u);
    BOOST_TEST(scan.offset() == 1u);
}

// The fast path (at most 15 digits scaled by an exact power of ten) and the
// slow one must both give the double nearest the decimal, as strtod does.
BOOST_AUTO_TEST_CASE(real_numbers_are_read_to_the_nearest_double) {
    std::mt19937_64 rng(12345);
    std::uniform_real_distribution<double> dist(-1e6, 1e6);
    char text[64];
    for (int i = 0; i < 20000; ++i) {
        const double v = dist(rng) * std::pow(10.0, static_cast<int>(rng() % 40) - 20);
        for (const char* format : {"%.1f", "%.3f", "%.17g", "%.6e", "%.15g"}) {
            std::snprintf(text, sizeof text, format, v);
            auto n = number_of(text);
            BOOST_REQUIRE_MESSAGE(n, text);
            if (n->value != std::strtod(text, nullptr)) BOOST_FAIL(std::string("read ") + text + " off the nearest double");
        }
    }
}

// Decimals without an exponent are read in one pass when their digits fit 53
// bits and 19 characters: every length around those edges, against strtod.
BOOST_AUTO_TEST_CASE(plain_decimals_of_every_length_are_read_to_the_nearest_double) {
    std::mt19937_64 rng(54321);
    for (int i = 0; i < 20000; ++i) {
        const std::size_t digits = 2 + rng() % 24;
        std::string text;
        for (std::size_t d = 0; d < digits; ++d) text += static_cast<char>('0' + rng() % 10);
        if (text[0] == '0') text[0] = '9';
        if (rng() % 8 == 0) text[0] = '0', text.insert(1, ".");
        else text.insert(1 + rng() % (digits - 1), ".");
        auto n = number_of(text);
        BOOST_REQUIRE_MESSAGE(n, text);
        BOOST_TEST((n->kind == JsonNumber::Kind::real), text);
        if (n->value != std::strtod(text.c_str(), nullptr)) BOOST_FAIL("read " + text + " off the nearest double");
    }
    // 2^53 + 1 as digits: not exact in a double, so not by the quick division.
    auto n = number_of("900719925474099.3");
    BOOST_REQUIRE(n);
    BOOST_TEST(n->value == std::strtod("900719925474099.3", nullptr));
    // The number ends where its digits do, whatever follows.
    JsonScan scan("12.5,");
    JsonNumber m;
    BOOST_TEST(scan.number(m));
    BOOST_TEST(m.value == 12.5);
    BOOST_TEST(scan.offset() == 4u);
}

BOOST_AUTO_TEST_CASE(strings_decode_their_escapes) {
    BOOST_TEST(*string_of(R"("plain")") == "plain");
    BOOST_TEST(*string_of(R"("a\"b\\c\/d\b\f\n\r\t")") == "a\"b\\c/d\b\f\n\r\t");
    BOOST_TEST(*string_of(R"("\u00e9\u20AC")") == "\xc3\xa9\xe2\x82\xac");
    BOOST_TEST(*string_of(R"("\ud83d\ude00")") == "\xf0\x9f\x98\x80");
    BOOST_TEST(*string_of(R"("\u0000")") == std::string(1, '\0'));
    BOOST_TEST(*string_of("\"caf\xc3\xa9\"") == "caf\xc3\xa9");
}

BOOST_AUTO_TEST_CASE(broken_strings_are_refused) {
    for (const char* text : {R"("\ud83d")", R"("\ud83dx")", R"("\ud83d\u0041")", R"("\ude00")", R"("\u12")",
                             R"("\u12G4")", R"("\x")", "\"a\tb\"", "\"a\nb\"", "\"open", "\"open\\"})
        BOOST_TEST(!string_of(text), text);
}

// Strings are scanned eight bytes at a time: a quote, backslash or control
// character is found at every offset within a word.
BOOST_AUTO_TEST_CASE(a_string_ends_at_its_quote_wherever_it_falls) {
    for (std::size_t len = 0; len < 40; ++len) {
        const std::string body(len, 'x');
        BOOST_TEST(*string_of("\"" + body + "\" trailing\"") == body);
        BOOST_TEST(*string_of("\"" + body + "\\n" + body + "\"") == body + "\n" + body);
        BOOST_TEST(!string_of("\"" + body + "\x01" + body + "\""), len);
        // Bytes above 0x7F are text (UTF-8 is checked before the scan).
        BOOST_TEST(*string_of("\"" + body + "\xc3\xa9\"") == body + "\xc3\xa9");
    }
}

BOOST_AUTO_TEST_CASE(skipped_values_are_checked_all_the_way_down) {
    BOOST_TEST(skips(R"({"a":[1,-2.5e3,{"b":null,"c":[true,false,"x"]}],"d":{}})"));
    BOOST_TEST(skips(" [ ] "));
    for (const char* text : {R"({"a":[1,,2]})", R"({"a":[1,2,]})", R"({"a":1,})", R"({"a" 1})", R"({a:1})",
                             R"({"a":tru})", R"({"a":nul})", R"({"a":[1 2]})", R"([1}])", R"({"a":1]})", "[", "{",
                             R"({"a":"x\q"})", R"({"a":01})", "1 2"})
        BOOST_TEST(!skips(text), text);
}

BOOST_AUTO_TEST_CASE(nesting_is_refused_past_1024_levels_without_exhausting_the_stack) {
    BOOST_TEST(skips(std::string(1024, '[') + std::string(1024, ']')));
    BOOST_TEST(!skips(std::string(1025, '[') + std::string(1025, ']')));
    BOOST_TEST(!skips(std::string(1'000'000, '[')));
}

BOOST_AUTO_TEST_CASE(a_copied_value_loses_only_its_whitespace) {
    JsonScan scan(R"( { "a" : [ 1 , 2 ] , "b" : "x  y\" z" } )");
    std::string out;
    BOOST_REQUIRE(scan.copy_value(out));
    BOOST_TEST(out == R"({"a":[1,2],"b":"x  y\" z"})");
    BOOST_TEST(scan.at_end());
}

// JSON allows a key twice in one object, but readers differ on which copy
// counts; the cursor refuses it wherever it passes, naming the key.
BOOST_AUTO_TEST_CASE(a_key_sent_twice_in_one_object_is_refused_and_named) {
    const std::string accepted = "(accepted)";
    auto key_twice = [&](const std::string& text) {
        JsonScan scan(text);
        if (scan.skip_value() && scan.at_end()) return accepted;
        BOOST_REQUIRE_MESSAGE(scan.broke_on_key_twice(), text << ": " << scan.broken_reason());
        return scan.key_twice();
    };
    BOOST_TEST(key_twice(R"({"a":{"a":1},"b":[{"a":1},{"a":2}],"c":{}})") == accepted);
    BOOST_TEST(key_twice(R"({"a":1,"a":2})") == "a");
    BOOST_TEST(key_twice(R"({"a":1,"b":2,"a":3})") == "a");
    BOOST_TEST(key_twice(R"({"":1,"":2})") == "");
    BOOST_TEST(key_twice(R"({"x":[{"b":1,"\u0062":2}]})") == "b");
    BOOST_TEST(key_twice(R"({"x":{"\u00e9":1,"é":2}})") == "\xc3\xa9");
    // More keys than are compared pairwise: sorted, escapes decoded first.
    std::string many = "{";
    for (int i = 0; i < 100'000; ++i) many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    BOOST_TEST(key_twice(many + R"("last":0})") == accepted);
    BOOST_TEST(key_twice(many + R"("k99999":0})") == "k99999");
    BOOST_TEST(key_twice(many + R"("\u006b7":0})") == "k7");
    // The pair's text is checked even when the values differ in kind.
    BOOST_TEST(key_twice(R"({"a":[1,2],"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"a":"x"})") == "a");
}

// key_sent_twice looks at one object's own keys, after the object was read.
BOOST_AUTO_TEST_CASE(key_sent_twice_looks_at_one_objects_own_keys) {
    const std::string inner = R"({"a":1,"b":{"c":1,"c":2}})";
    std::string key;
    BOOST_TEST(!JsonScan(inner).key_sent_twice(inner.data(), key));
    const std::string outer = R"( {"a":1,"b":{"c":1},"\u0061":3})";
    BOOST_TEST(JsonScan(outer).key_sent_twice(outer.data() + 1, key));
    BOOST_TEST(key == "a");
    const std::string empty = "{}";
    BOOST_TEST(!JsonScan(empty).key_sent_twice(empty.data(), key));
}
