// Where the cluster's Redis is: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB],
// or rediss://... for Redis over TLS (the forms redis-cli -u and most clients
// take). Parsed once at start;
// a bad URL is refused with a message naming the part that is wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace telehub::hub {

struct RedisUrl {
    std::string host;
    std::uint16_t port = 6379;
    int db = 0;
    std::string user;      // empty: AUTH with the password alone
    std::string password;  // empty: no AUTH
    bool tls = false;      // rediss://

    // The URL without the password, for logs and /healthz.
    std::string display() const;
};

struct RedisUrlError {
    std::string message;
};

std::variant<RedisUrl, RedisUrlError> parse_redis_url(std::string_view text);

}  // namespace telehub::hub
