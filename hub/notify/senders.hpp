// The two ways a notice leaves the hub, as coroutines on the notifier's own
// io_context: an HTTP(S) POST and a command fed the body on stdin. Each
// returns "" when delivered, else what went wrong (for the log, the retry and
// GET /api/notifications); neither throws for a network or program failure.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "hub/alerts/alerts.hpp"

namespace telehub::hub {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// POST `body` to `url`; delivered on a 2xx answer. `tls` (for https://)
// verifies the certificate chain and the host name, and sends SNI. The whole
// exchange is bounded by `timeout`.
boost::asio::awaitable<std::string> http_post(const HttpUrl& url, boost::asio::ssl::context* tls, std::string body,
                                              HeaderList headers, std::chrono::milliseconds timeout);

// Runs `argv` (no shell) with `input` on its stdin; delivered when it exits
// 0 within `timeout`, else its process group is killed (SIGKILL). The
// error names the exit status or signal and the last line of its stderr.
boost::asio::awaitable<std::string> run_command(std::vector<std::string> argv, std::string input,
                                                std::chrono::milliseconds timeout);

// The webhook signature: HMAC-SHA256 of the exact body bytes with the
// notification's shared secret, sent as `X-Telehub-Signature: sha256=HEX`
// (docs/alerts.md shows a receiver checking it). In signature.cpp.
inline constexpr std::string_view signature_header = "X-Telehub-Signature";

// Lower-case hex of HMAC-SHA256(key, body).
std::string hmac_sha256_hex(std::string_view key, std::string_view body);
// "sha256=" + hmac_sha256_hex(key, body): the header's value.
std::string signature_value(std::string_view key, std::string_view body);

// A client TLS context: the system's trusted certificates, or `ca_file`'s.
// Throws std::runtime_error naming the file when it cannot be read.
std::unique_ptr<boost::asio::ssl::context> make_client_tls(const std::string& ca_file);

}  // namespace telehub::hub
