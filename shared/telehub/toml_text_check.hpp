// A check run on TOML text before toml++ reads it (config files, rules
// files, PUT /api/rules). Debian bookworm's toml++ 3.3.0 reaches
// __builtin_unreachable, undefined behaviour, when its parser asks whether a
// character outside ASCII is whitespace: any such character between tokens
// (a typo like `name é= 1`), and the first character of a line after a
// line-ending backslash in a multi-line basic string, which is valid TOML.
// Fixed upstream (marzer/tomlplusplus#305, 2026) after that release. Those
// places are refused here, with where and why; strings and comments may hold
// any UTF-8, as before.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace telehub {

struct TomlTextProblem {
    std::size_t line = 0;    // 1-based
    std::size_t column = 0;  // 1-based, in bytes
    std::string what;
};

std::optional<TomlTextProblem> toml_text_problem(std::string_view text);

}  // namespace telehub
