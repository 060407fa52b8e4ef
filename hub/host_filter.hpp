// Which hosts a client wants: a CPU range and a name substring. Parsed from
// the REST query string (?min_cpu=&max_cpu=&q=) or from a /ws/live
// subscribe message; errors name the parameter at fault.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "hub/host_summary.hpp"

namespace telehub::hub {

struct HostFilter {
    std::optional<double> min_cpu;
    std::optional<double> max_cpu;
    std::string q;  // lower-cased; matches a substring of host_id or hostname

    bool matches(const HostSummary& s) const;
    // Equal filters give equal keys, so clients can share one summaries frame.
    std::string key() const;
};

struct FilterError {
    std::string param;    // "min_cpu", "max_cpu", "q", or "filter"
    std::string message;  // names the parameter and what is wrong
};

using FilterResult = std::variant<HostFilter, FilterError>;

// `query` is the part after '?', percent-encoded; unknown parameters are ignored.
FilterResult parse_filter_query(std::string_view query);

// The "filter" object of a subscribe message (null or absent = everything).
FilterResult parse_filter_json(const nlohmann::json& filter);

// Percent-decoding of one query component ('+' is a space); nullopt if malformed.
std::optional<std::string> url_decode(std::string_view in, bool plus_is_space);

// The value of `name` in a query string, decoded; nullopt when absent.
// Sets `bad` when present but not decodable.
std::optional<std::string> query_param(std::string_view query, std::string_view name, bool& bad);

}  // namespace telehub::hub
