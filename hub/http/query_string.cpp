#include "hub/http/query_string.hpp"

#include <charconv>

namespace telehub::hub {
namespace {

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> url_decode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return std::nullopt;
            int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name, bool& bad) {
    while (!query.empty()) {
        auto amp = query.find('&');
        auto part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        auto eq = part.find('=');
        auto key = part.substr(0, eq);
        if (key != name) continue;
        auto value = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
        auto decoded = url_decode(value, true);
        if (!decoded) bad = true;
        return decoded.value_or(std::string());
    }
    return std::nullopt;
}

SecondsParam parse_seconds_param(std::string_view query, std::int64_t max_seconds) {
    SecondsParam out;
    bool bad = false;
    auto v = query_param(query, "seconds", bad);
    if (!v) {
        if (bad) out.error = "the query string is not valid percent-encoding";
        return out;
    }
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (bad || v->empty() || ec != std::errc() || p != v->data() + v->size() || n <= 0 || n > max_seconds) {
        out.error = "parameter 'seconds' must be a whole number from 1 to " + std::to_string(max_seconds) + ", got '" +
                    *v + "'";
        return out;
    }
    out.seconds = n;
    return out;
}

}  // namespace telehub::hub
