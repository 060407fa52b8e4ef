// Reading what a test's child process printed: complete lines, and the
// key=value fields of a marker line such as "READY pid=12 port=4000".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telehub::test {

// Complete lines of `text` (a last line still being written is left out).
std::vector<std::string> complete_lines(const std::string& text);

// The key=value fields of the first complete line that is `word` or starts
// with `word` and a space; nullopt while there is none. Values are integers.
std::optional<std::map<std::string, long long>> marker_fields(const std::string& text, std::string_view word);

}  // namespace telehub::test
