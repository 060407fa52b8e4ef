// Query strings and percent-encoding (RFC 3986), for routes and filters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace telehub::hub {

// Percent-decoding of one query component ('+' is a space); nullopt if malformed.
std::optional<std::string> url_decode(std::string_view in, bool plus_is_space);

// The value of `name` in a query string, decoded; nullopt when absent.
// Sets `bad` when present but not decodable.
std::optional<std::string> query_param(std::string_view query, std::string_view name, bool& bad);

}  // namespace telehub::hub
