#include "hub/cluster/redis_url.hpp"

#include <charconv>
#include <string>

namespace telehub::hub {
namespace {

bool parse_uint(std::string_view s, unsigned long max, unsigned long& out) {
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && out <= max;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// %XX decoded, as URLs write a '/' or ':' in a password ("%2F"); a '%' not
// followed by two hex digits stays as it is, as it always did.
std::string percent_decoded(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

// The URL for a message: its user-info (the password) as ***.
std::string masked(std::string_view text) {
    const auto scheme = text.find("://");
    const auto at = text.rfind('@');
    if (scheme == std::string_view::npos || at == std::string_view::npos || at < scheme) return std::string(text);
    return std::string(text.substr(0, scheme + 3)) + "***" + std::string(text.substr(at));
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
        return RedisUrlError{"'" + masked(text) + "' must start with redis:// or rediss:// (TLS)"};
    }
    // The user-info first: a password may hold '/' (an openssl rand -base64 one often does).
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        std::string_view auth = rest.substr(0, at);
        rest = rest.substr(at + 1);
        auto colon = auth.find(':');
        if (colon == std::string_view::npos) {
            u.password = percent_decoded(auth);
        } else {
            u.user = percent_decoded(auth.substr(0, colon));
            u.password = percent_decoded(auth.substr(colon + 1));
        }
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
    if (u.host.empty()) return RedisUrlError{"no host in '" + masked(text) + "'"};
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
