// Query strings and percent-encoding (RFC 3986), for routes and filters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace telehub::hub {

// Percent-decoding of one query component ('+' is a space); nullopt if malformed.
std::optional<std::string> url_decode(std::string_view in, bool plus_is_space);

// The value of `name` in a query string, decoded; nullopt when absent.
// Sets `bad` when present but not decodable.
std::optional<std::string> query_param(std::string_view query, std::string_view name, bool& bad);

// ?seconds=N of the history routes: a whole number from 1 to `max_seconds`.
// nullopt when absent (no default here), the number, or the message naming
// what was wrong (for a 400 bad_parameter).
struct SecondsParam {
    std::optional<std::int64_t> seconds;
    std::string error;  // empty when it was fine or absent
};
SecondsParam parse_seconds_param(std::string_view query, std::int64_t max_seconds);

}  // namespace telehub::hub
