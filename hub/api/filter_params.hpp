// A HostFilter from the REST query string (?min_cpu=&max_cpu=&q=) or from a
// /ws/live subscribe message; errors name the parameter at fault.
#pragma once

#include <string>
#include <string_view>
#include <variant>

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

}  // namespace telehub::hub
