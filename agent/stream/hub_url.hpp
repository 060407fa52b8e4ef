// The hub address given to `--hub`: wss://HOST[:PORT][/PATH], or ws:// for a
// hub on this machine. Parsing is pure
// (no DNS, no I/O) so a typo is reported at start-up, before any connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telehub::agent {

struct HubUrl {
    std::string host;    // name or address as given; an IPv6 literal without brackets
    std::string port;    // digits; "443" (wss) or "80" (ws) when the URL names none
    std::string target;  // request path (and query); "/ws/agent" when the URL names none
    bool tls = false;    // wss://

    // The Host header value: host, bracketed if IPv6, plus ":port" unless 80.
    std::string host_header() const;
    // ws[s]://host:port/target, for log lines.
    std::string to_string() const;
};

// Returns the parsed URL, or nullopt with `error` saying what is wrong with it.
std::optional<HubUrl> parse_hub_url(std::string_view text, std::string& error);

// For start-up: throws std::invalid_argument("--hub 'TEXT': <why>").
HubUrl hub_url_or_throw(std::string_view text);

// --hub URL1,URL2,...: several hubs of one cluster (docs/cluster.md), each
// parsed as above; throws std::invalid_argument naming the bad one.
std::vector<HubUrl> hub_urls_or_throw(std::string_view list);

}  // namespace telehub::agent
