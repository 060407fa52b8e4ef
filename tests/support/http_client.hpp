// A small synchronous HTTP/1.1 client for tests against 127.0.0.1. The
// target is sent exactly as given, so tests can try malformed paths.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace telehub::test {

struct HttpResult {
    int status = 0;  // 0 when no response arrived in time
    std::string body;
    std::string content_type;
    std::string allow;
    std::vector<std::pair<std::string, std::string>> headers;  // every response header, names as sent

    // The value of header `name` (case-insensitive), empty when absent.
    std::string header(std::string_view name) const;
};

struct HttpOptions {
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // sent with Content-Length when not empty
    std::chrono::milliseconds timeout = std::chrono::seconds(5);
    std::string source_address;  // local address to connect from (e.g. 127.0.0.2); empty: the kernel's choice
};

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const HttpOptions& options);

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5));

inline HttpResult http_get(std::uint16_t port, const std::string& target) { return http_request(port, "GET", target); }

}  // namespace telehub::test
