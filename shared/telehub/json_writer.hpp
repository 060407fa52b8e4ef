// JSON written straight into a string, for replies and frames built from many
// records (every host's summary each second, a thousand fleet rows): a
// fraction of the cost of an nlohmann DOM built and then dumped. Strings pass
// through as UTF-8, so they must be valid UTF-8 already (everything an agent
// sends is, simdjson having validated it).
#pragma once

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <type_traits>

namespace telehub {

// A JSON string: quotes, `"` and `\` escaped, control characters as \u00XX.
void append_json_string(std::string& out, std::string_view v);

// A number as the shortest text that reads back the same; NaN and infinities as null.
template <class T>
void append_json_number(std::string& out, T v) {
    if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(v)) {
            out.append("null");
            return;
        }
    }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// [a,b,...]: `write(out, item)` writes each item.
template <class Range, class Write>
void append_json_array(std::string& out, const Range& items, Write write) {
    out.push_back('[');
    bool first = true;
    for (const auto& item : items) {
        if (!first) out.push_back(',');
        first = false;
        write(out, item);
    }
    out.push_back(']');
}

// One JSON object written field by field: the commas and quotes of a key in
// one place, so each field is one call. Keys are written as given (no escaping).
class JsonObjectWriter {
public:
    explicit JsonObjectWriter(std::string& out) : out_(out) {}

    JsonObjectWriter& str(std::string_view key, std::string_view v) {
        append_json_string(key_(key), v);
        return *this;
    }
    template <class T>
    JsonObjectWriter& num(std::string_view key, T v) {
        append_json_number(key_(key), v);
        return *this;
    }
    JsonObjectWriter& flag(std::string_view key, bool v) {
        key_(key).append(v ? "true" : "false");
        return *this;
    }
    // The key only: the caller writes the value.
    std::string& key(std::string_view key) { return key_(key); }
    void close() {
        if (first_) out_.push_back('{');  // an object with no fields
        out_.push_back('}');
    }

private:
    std::string& key_(std::string_view key) {
        out_.push_back(first_ ? '{' : ',');
        first_ = false;
        out_.push_back('"');
        out_.append(key);
        out_.append("\":");
        return out_;
    }

    std::string& out_;
    bool first_ = true;
};

}  // namespace telehub
