#include "tests/support/child_output.hpp"

#include <charconv>
#include <sstream>

namespace telehub::test {

std::vector<std::string> complete_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
        lines.push_back(text.substr(start, nl - start));
    return lines;
}

std::optional<std::map<std::string, long long>> marker_fields(const std::string& text, std::string_view word) {
    for (const auto& line : complete_lines(text)) {
        std::string_view l(line);
        if (!(l == word || (l.starts_with(word) && l.size() > word.size() && l[word.size()] == ' '))) continue;
        std::map<std::string, long long> fields;
        std::istringstream words(line.substr(word.size()));
        for (std::string kv; words >> kv;) {
            auto eq = kv.find('=');
            if (eq == std::string::npos) continue;
            long long v = 0;
            std::from_chars(kv.data() + eq + 1, kv.data() + kv.size(), v);
            fields[kv.substr(0, eq)] = v;
        }
        return fields;
    }
    return std::nullopt;
}

}  // namespace telehub::test
