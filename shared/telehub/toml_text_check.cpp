#include "telehub/toml_text_check.hpp"

#include <algorithm>

// Header-only, as in config_file.cpp: no libtomlplusplus3 needed where the programs run.
#include <toml++/toml.h>

namespace telehub {
namespace {

constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";

bool non_ascii(char c) { return static_cast<unsigned char>(c) >= 0x80; }

TomlTextProblem problem_at(std::string_view text, std::size_t pos, std::string what) {
    const auto before = text.substr(0, pos);
    const auto line_start = before.rfind('\n');
    return {static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1,
            pos - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1, std::move(what)};
}

// The first position at or after `i` that is not a space, tab or line break.
std::size_t past_whitespace_and_newlines(std::string_view text, std::size_t i) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    return i;
}

// At a multi-line string's closing delimiter (three quotes at `i`): up to two
// more quotes right after it belong to the string. The position after it all.
std::size_t past_closing_delimiter(std::string_view text, std::size_t i, char quote) {
    i += 3;
    for (int extra = 0; extra < 2 && i < text.size() && text[i] == quote; ++extra) ++i;
    return i;
}

// Where the scan alone finds a problem (toml_text_check.hpp, the first thing).
std::optional<TomlTextProblem> scan_problem(std::string_view text) {
    enum class In { tokens, comment, basic, literal, ml_basic, ml_literal };
    In in = In::tokens;
    std::size_t i = text.starts_with(byte_order_mark) ? byte_order_mark.size() : 0;  // toml++ skips it
    while (i < text.size()) {
        const char c = text[i];
        switch (in) {
            case In::tokens:
                if (c == '#') in = In::comment;
                else if (c == '"') in = text.substr(i, 3) == "\"\"\"" ? (i += 2, In::ml_basic) : In::basic;
                else if (c == '\'') in = text.substr(i, 3) == "'''" ? (i += 2, In::ml_literal) : In::literal;
                else if (non_ascii(c))
                    return problem_at(text, i,
                                      "a character outside ASCII outside any string or comment (only strings and "
                                      "comments may hold one)");
                ++i;
                break;
            case In::comment:
                if (c == '\n') in = In::tokens;
                ++i;
                break;
            case In::basic:
                if (c == '\\') i += 2;
                else {
                    if (c == '"' || c == '\n') in = In::tokens;  // an unclosed string is toml++'s error to report
                    ++i;
                }
                break;
            case In::literal:
                if (c == '\'' || c == '\n') in = In::tokens;
                ++i;
                break;
            case In::ml_basic:
                if (c == '\\') {
                    std::size_t j = i + 1;
                    while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
                    if (j < text.size() && (text[j] == '\n' || text[j] == '\r')) {  // a line-ending backslash
                        j = past_whitespace_and_newlines(text, j);
                        if (j < text.size() && non_ascii(text[j]))
                            return problem_at(text, j,
                                              "a character outside ASCII first after a line-ending backslash in a "
                                              "multi-line string, which this build's TOML reader (toml++ 3.3) cannot "
                                              "read safely; write it as an escape (\\uXXXX) or end the line without "
                                              "the backslash");
                        i = j;
                    } else {
                        i += 2;
                    }
                } else if (text.substr(i, 3) == "\"\"\"") {
                    i = past_closing_delimiter(text, i, '"');
                    in = In::tokens;
                } else {
                    ++i;
                }
                break;
            case In::ml_literal:
                if (text.substr(i, 3) == "'''") {
                    i = past_closing_delimiter(text, i, '\'');
                    in = In::tokens;
                } else {
                    ++i;
                }
                break;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<TomlTextProblem> toml_text_problem(std::string_view text) {
    if (auto p = scan_problem(text)) return p;
    try {
        // toml++ skips a leading byte order mark; the stand-in would make it a '`'.
        const auto body = text.starts_with(byte_order_mark) ? text.substr(byte_order_mark.size()) : text;
        [[maybe_unused]] const auto ascii_only = toml::parse(toml_ascii_stand_in(body));
    } catch (const toml::parse_error& e) {
        return TomlTextProblem{e.source().begin.line, e.source().begin.column, std::string(e.description())};
    }
    return std::nullopt;
}

std::string toml_ascii_stand_in(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (b < 0x80) {
            out += text[i++];
            continue;
        }
        // A lead byte and its continuation bytes are one code point; a stray
        // continuation byte or a bad lead byte is one on its own.
        const std::size_t length = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF8 ? 4 : 1;
        std::size_t n = 1;
        while (n < length && i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
        out += '`';
        i += n;
    }
    return out;
}

}  // namespace telehub
