#include "hub/cluster/redis_url.hpp"

#include <charconv>

namespace telehub::hub {
namespace {

bool parse_uint(std::string_view s, unsigned long max, unsigned long& out) {
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && out <= max;
}

}  // namespace

std::string RedisUrl::display() const {
    std::string s = tls ? "rediss://" : "redis://";
    if (!user.empty() || !password.empty()) s += (user.empty() ? std::string() : user) + ":***@";
    s += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    s += ":" + std::to_string(port);
    if (db != 0) s += "/" + std::to_string(db);
    return s;
}

std::variant<RedisUrl, RedisUrlError> parse_redis_url(std::string_view text) {
    constexpr std::string_view plain = "redis://", tls = "rediss://";
    RedisUrl u;
    std::string_view rest;
    if (text.substr(0, plain.size()) == plain) {
        rest = text.substr(plain.size());
    } else if (text.substr(0, tls.size()) == tls) {
        rest = text.substr(tls.size());
        u.tls = true;
    } else {
        return RedisUrlError{"'" + std::string(text) + "' must start with redis:// or rediss:// (TLS)"};
    }
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        std::string_view db = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
        unsigned long n = 0;
        if (!db.empty()) {
            if (!parse_uint(db, 15, n)) return RedisUrlError{"database '" + std::string(db) + "' must be a number 0-15"};
            u.db = static_cast<int>(n);
        }
    }
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        std::string_view auth = rest.substr(0, at);
        rest = rest.substr(at + 1);
        auto colon = auth.find(':');
        if (colon == std::string_view::npos) {
            u.password = std::string(auth);
        } else {
            u.user = std::string(auth.substr(0, colon));
            u.password = std::string(auth.substr(colon + 1));
        }
    }
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string_view::npos) return RedisUrlError{"'[' of an IPv6 address without ']'"};
        u.host = std::string(rest.substr(1, close - 1));
        rest = rest.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return RedisUrlError{"unexpected '" + std::string(rest) + "' after the address"};
            port = rest.substr(1);
        }
    } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        u.host = std::string(rest.substr(0, colon));
        port = rest.substr(colon + 1);
    } else {
        u.host = std::string(rest);
    }
    if (u.host.empty()) return RedisUrlError{"no host in '" + std::string(text) + "'"};
    for (char c : u.host)
        if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '?' || c == '#')
            return RedisUrlError{"host '" + u.host + "' holds a character a host name cannot"};
    if (!port.empty()) {
        unsigned long n = 0;
        if (!parse_uint(port, 65535, n) || n == 0) return RedisUrlError{"port '" + std::string(port) + "' must be 1-65535"};
        u.port = static_cast<std::uint16_t>(n);
    }
    return u;
}

}  // namespace telehub::hub
