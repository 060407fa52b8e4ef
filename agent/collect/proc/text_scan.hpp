// Small in-place scanners for /proc text, shared by the parsers: each takes
// the remaining text by reference and consumes what it returns.
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>

namespace telehub::agent {

// Splits off the next line (without its '\n') from `text`.
inline std::string_view next_line(std::string_view& text) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    return line;
}

inline void skip_blanks(std::string_view& s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

// The next run of non-blank characters after optional blanks; empty at the end.
inline std::string_view next_word(std::string_view& s) {
    skip_blanks(s);
    auto end = s.find_first_of(" \t");
    std::string_view word = s.substr(0, end);
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    return word;
}

// Reads one unsigned decimal after optional blanks; false when there is none.
inline bool take_u64(std::string_view& s, std::uint64_t& v) {
    skip_blanks(s);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{}) return false;
    s.remove_prefix(static_cast<std::size_t>(p - s.data()));
    return true;
}

// The whole of `s` as an unsigned decimal.
inline bool to_u64(std::string_view s, std::uint64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace telehub::agent
