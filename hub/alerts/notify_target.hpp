// Where a rule's notifications go: the [[notification]] tables of the rules
// file (docs/alerts.md, "Notifications"), named by rules' `notify` lists.
// Configuration only; hub/notify/ delivers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telehub::hub {

enum class NotifyKind { webhook, slack, command };
std::string_view notify_kind_name(NotifyKind k);

struct NotifyTarget {
    std::string name;
    NotifyKind kind = NotifyKind::webhook;
    std::string url;                   // webhook, slack: http:// or https://
    std::string secret;                // webhook: the HMAC-SHA256 key (inline, or read from secret_file)
    std::string secret_file;           // where `secret` came from, kept so a write-back does not inline it
    std::string ca_file;               // https: trust these certificates instead of the system's
    std::vector<std::string> command;  // command: the program and its arguments (no shell)
    double timeout_s = 10;             // one attempt, then it is abandoned (a command is killed)
    double retry_for_s = 600;          // retried with backoff this long after the first attempt, then failed
    double retry_max_delay_s = 60;     // the backoff's ceiling

    bool operator==(const NotifyTarget&) const = default;
};

// An http:// or https:// URL split for a client; nullopt when it is not one.
struct HttpUrl {
    bool tls = false;
    std::string host;    // without brackets for an IPv6 literal
    std::uint16_t port = 0;
    std::string target;  // path and query, "/" at least
};
std::optional<HttpUrl> parse_http_url(std::string_view url);

}  // namespace telehub::hub
