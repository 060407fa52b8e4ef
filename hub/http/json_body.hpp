// A request body that must be a JSON object, parsed, or why it is not, said
// so that the 400 names the trouble: empty, not JSON (where and why, as the
// parser saw it), or JSON of another kind. The parser's exception is caught
// here and becomes the value (docs/errors.md).
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace telehub::hub {

// The object, or what is wrong, e.g. "it is not JSON: at byte 9: syntax
// error while parsing value - invalid literal; last read: 'pid='" or "it is
// a JSON array".
std::variant<nlohmann::json, std::string> parse_json_object(std::string_view body);

}  // namespace telehub::hub
