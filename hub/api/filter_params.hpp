// A HostFilter from the REST query string (?min_cpu=&max_cpu=&q=) or from a
// /ws/live subscribe message; errors name the parameter at fault.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hub/state/state.hpp"

namespace telehub::hub {

struct FilterError {
    std::string param;    // "min_cpu", "max_cpu", "q", "container", or "filter"
    std::string message;  // names the parameter and what is wrong
};

using FilterResult = std::variant<HostFilter, FilterError>;

// `query` is the part after '?', percent-encoded; unknown parameters are ignored.
FilterResult parse_filter_query(std::string_view query);

// The "filter" object of a subscribe message (null or absent = everything).
FilterResult parse_filter_json(const nlohmann::json& filter);

// A /ws/live client's message: {"type":"subscribe","filter":{..},"detail":[host ids]}.
inline constexpr std::size_t max_detail_hosts = 1000;
struct Subscription {
    HostFilter filter;
    std::vector<std::string> detail;  // hosts whose every sample the client wants
};
struct SubscribeError {
    std::string code;  // bad_json, wrong_type, missing_field, unknown_type, bad_value
    std::string message;
};
std::variant<Subscription, SubscribeError> parse_subscribe(std::string_view text);

}  // namespace telehub::hub
