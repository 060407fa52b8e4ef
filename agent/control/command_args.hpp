// Reading a command's arguments: each helper returns the value or a
// bad_argument failure whose message names the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/control/command_outcome.hpp"

namespace telehub::agent {

// `args` parsed as an object; bad_argument when it is not one.
std::variant<nlohmann::json, CommandFailure> parse_args(const std::string& args_json);

// An integer in lo..hi, given as a JSON integer or a string of decimal
// digits with an optional '-' (seed 001's clients send "8802"). Absent:
// `fallback`, or bad_argument when there is none.
std::variant<std::int64_t, CommandFailure> int_arg(const nlohmann::json& args, const char* field, std::int64_t lo,
                                                   std::int64_t hi, std::optional<std::int64_t> fallback = {});

// A non-empty string; absent: `fallback`, or bad_argument when there is none.
std::variant<std::string, CommandFailure> string_arg(const nlohmann::json& args, const char* field,
                                                     std::optional<std::string> fallback = {});

// An array of strings; absent: empty.
std::variant<std::vector<std::string>, CommandFailure> string_list_arg(const nlohmann::json& args, const char* field);

}  // namespace telehub::agent
