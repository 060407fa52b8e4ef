// A check run on TOML text before toml++ reads it (config files, rules
// files, PUT /api/rules). Debian bookworm's toml++ 3.3.0 reaches
// __builtin_unreachable, undefined behaviour, when its parser asks whether a
// character outside ASCII is whitespace: any such character between tokens
// (a typo like `name é= 1`), and the first character of a line after a
// line-ending backslash in a multi-line basic string, which is valid TOML.
// Fixed upstream (marzer/tomlplusplus#305, 2026) after that release.
//
// So toml_text_problem, run before toml++ reads the text, does two things.
// It refuses, with where and why, a character outside ASCII between tokens
// and the line-ending case. Then toml++ reads toml_ascii_stand_in(text),
// where no such character is left to ask about, and any syntax error there
// is the problem. Only text that passes both may be read as it is. A
// malformed document can make toml++ look at a character the scan took for
// part of a string (`a = 2"é"`), which the second step catches; the first
// cannot be caught by the second, because a line-ending backslash is valid
// TOML. Strings and comments may hold any UTF-8, as before.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace telehub {

struct TomlTextProblem {
    std::size_t line = 0;    // 1-based
    std::size_t column = 0;  // 1-based: in bytes for the scan's finds, in code points for toml++'s
    std::string what;
};

std::optional<TomlTextProblem> toml_text_problem(std::string_view text);

// `text` with each code point outside ASCII (and each byte that is not UTF-8)
// written as one '`': a character TOML allows in strings and comments only,
// so the copy reads as TOML exactly where the text does, with the same
// lines and columns (toml++ counts columns in code points).
std::string toml_ascii_stand_in(std::string_view text);

}  // namespace telehub
