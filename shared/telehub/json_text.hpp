// nlohmann/json's text, with bytes that are not UTF-8 written as U+FFFD
// instead of thrown. Paths, header values, host ids and process names come
// from peers and from /proc and need not be UTF-8; dump()'s default throws
// type_error 316 on them, which on an io thread would unwind through Asio and
// stop the hub. Every dump in the product goes through here
// (tests/layout/json_dump checks).
#pragma once

#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

namespace telehub {

inline std::string json_text(const nlohmann::json& j, int indent = -1) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The same for nlohmann::ordered_json (the agent's frames keep their key
// order), which must not be converted to nlohmann::json and sorted on the way.
template <class Json>
    requires std::is_same_v<Json, nlohmann::ordered_json>
std::string json_text(const Json& j, int indent = -1) {
    return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace telehub
