#include "agent/control/command_args.hpp"

#include <charconv>

namespace telehub::agent {

namespace {

using json = nlohmann::json;

CommandFailure bad(const char* field, const std::string& what) {
    return CommandFailure{"bad_argument", std::string("argument '") + field + "' " + what};
}

}  // namespace

std::variant<json, CommandFailure> parse_args(const std::string& args_json) {
    json j = json::parse(args_json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return CommandFailure{"bad_argument", "args must be a JSON object"};
    return j;
}

std::variant<std::int64_t, CommandFailure> int_arg(const json& args, const char* field, std::int64_t lo,
                                                   std::int64_t hi, std::optional<std::int64_t> fallback) {
    const std::string range = "(" + std::to_string(lo) + ".." + std::to_string(hi) + ")";
    auto it = args.find(field);
    if (it == args.end() || it->is_null()) {
        if (fallback) return *fallback;
        return bad(field, "is missing: expected an integer " + range);
    }
    std::int64_t v = 0;
    if (it->is_number_integer()) {
        if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(hi))
            return bad(field, std::to_string(it->get<std::uint64_t>()) + " is out of range " + range);
        v = it->get<std::int64_t>();
    } else if (it->is_string()) {
        const std::string& s = it->get_ref<const std::string&>();
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec == std::errc::invalid_argument || p != s.data() + s.size())
            return bad(field, "must be an integer, not \"" + s.substr(0, 32) + "\"");
        if (ec == std::errc::result_out_of_range) return bad(field, "is out of range " + range);
    } else {
        return bad(field, std::string("must be an integer, not ") + it->type_name());
    }
    if (v < lo || v > hi) return bad(field, std::to_string(v) + " is out of range " + range);
    return v;
}

std::variant<std::string, CommandFailure> string_arg(const json& args, const char* field,
                                                     std::optional<std::string> fallback) {
    auto it = args.find(field);
    if (it == args.end() || it->is_null()) {
        if (fallback) return *fallback;
        return bad(field, "is missing: expected a non-empty string");
    }
    if (!it->is_string()) return bad(field, std::string("must be a string, not ") + it->type_name());
    std::string s = it->get<std::string>();
    if (s.empty()) return bad(field, "must not be empty");
    // exec passes strings to the kernel as C strings: a NUL would cut them silently.
    if (s.find('\0') != std::string::npos) return bad(field, "must not contain a NUL character");
    return s;
}

std::variant<std::vector<std::string>, CommandFailure> string_list_arg(const json& args, const char* field) {
    std::vector<std::string> out;
    auto it = args.find(field);
    if (it == args.end() || it->is_null()) return out;
    if (!it->is_array()) return bad(field, std::string("must be an array of strings, not ") + it->type_name());
    for (const json& e : *it) {
        if (!e.is_string()) return bad(field, std::string("must hold only strings, not ") + e.type_name());
        out.push_back(e.get<std::string>());
        if (out.back().find('\0') != std::string::npos) return bad(field, "must not contain a NUL character");
    }
    return out;
}

}  // namespace telehub::agent
