#include "hub/http/json_body.hpp"

namespace telehub::hub {

std::variant<nlohmann::json, std::string> parse_json_object(std::string_view body) {
    using json = nlohmann::json;
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::string("it is empty");
    try {
        json j = json::parse(body);
        if (j.is_object()) return j;
        return std::string("it is a JSON ") + j.type_name();
    } catch (const json::parse_error& e) {
        // The parser's own words ("syntax error while parsing value -
        // invalid literal; last read: 'pid='"), without its "[json.exception...]
        // parse error at line 1, column 9: " preamble; the byte says where.
        std::string_view what = e.what();
        if (auto at = what.find("column "); at != std::string_view::npos)
            if (auto colon = what.find(": ", at); colon != std::string_view::npos) what.remove_prefix(colon + 2);
        constexpr std::size_t longest = 160;  // "last read" can hold a whole long string
        std::string said(what.substr(0, longest));
        if (what.size() > longest) said += "...";
        return std::string("it is not JSON: at byte ") + std::to_string(e.byte) + ": " + said;
    }
}

}  // namespace telehub::hub
