#include "agent/stream/hub_url.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace telehub::agent {
namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    return std::equal(prefix.begin(), prefix.end(), s.begin(), [](char lower, char c) {
        return (c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c) == lower;
    });
}

bool valid_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

bool valid_ipv6_char(char c) {
    return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' ||
           c == '.';
}

std::optional<HubUrl> fail(std::string& error, std::string why) {
    error = std::move(why);
    return std::nullopt;
}

}  // namespace

std::string HubUrl::host_header() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (tls ? "443" : "80")) h += ":" + port;
    return h;
}

std::string HubUrl::to_string() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return (tls ? "wss://" : "ws://") + h + ":" + port + target;
}

std::optional<HubUrl> parse_hub_url(std::string_view text, std::string& error) {
    if (text.empty()) return fail(error, "the hub URL is empty; expected wss://HOST:PORT/ws/agent");
    for (char c : text) {
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
            return fail(error, "the hub URL contains a space or control character");
    }
    const bool tls = starts_with_nocase(text, "wss://");
    if (!tls && !starts_with_nocase(text, "ws://")) {
        auto scheme_end = text.find("://");
        if (scheme_end == std::string_view::npos)
            return fail(error, "missing scheme; expected wss://HOST:PORT/ws/agent");
        return fail(error, "scheme '" + std::string(text.substr(0, scheme_end)) +
                               "' is not supported; expected wss://HOST:PORT/ws/agent");
    }
    std::string_view rest = text.substr(tls ? 6 : 5);
    auto path_start = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, path_start);
    std::string_view path = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);

    if (authority.find('@') != std::string_view::npos)
        return fail(error, "credentials in the URL are not supported; pass the agent token with --token");
    if (path.find('#') != std::string_view::npos)
        return fail(error, "a fragment ('#...') has no meaning in a hub URL");
    if (authority.empty()) return fail(error, "the host is missing; expected wss://HOST:PORT/ws/agent");

    HubUrl url;
    url.tls = tls;
    std::string_view port;
    if (authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return fail(error, "an IPv6 address opened with '[' is not closed with ']'");
        std::string_view v6 = authority.substr(1, close - 1);
        if (v6.empty() || !std::all_of(v6.begin(), v6.end(), valid_ipv6_char))
            return fail(error, "'" + std::string(v6) + "' is not an IPv6 address");
        url.host = std::string(v6);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return fail(error, "expected ':PORT' after the IPv6 address");
            port = after.substr(1);
            if (port.empty()) return fail(error, "the port after ':' is missing");
        }
    } else {
        auto colon = authority.find(':');
        std::string_view host = authority.substr(0, colon);
        if (host.empty()) return fail(error, "the host is missing; expected wss://HOST:PORT/ws/agent");
        if (!std::all_of(host.begin(), host.end(), valid_host_char))
            return fail(error, "'" + std::string(host) + "' is not a valid host name or address");
        url.host = std::string(host);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) return fail(error, "the port after ':' is missing");
        }
    }
    if (port.empty()) {
        url.port = tls ? "443" : "80";
    } else {
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
            return fail(error, "port '" + std::string(port) + "' is not a number from 1 to 65535");
        url.port = std::to_string(value);
    }
    // The agent endpoint is the only thing an agent talks to, so a bare host
    // means it rather than "/".
    if (path.empty()) url.target = "/ws/agent";
    else if (path.front() == '?') url.target = "/ws/agent" + std::string(path);
    else url.target = std::string(path);
    return url;
}

HubUrl hub_url_or_throw(std::string_view text) {
    std::string error;
    auto url = parse_hub_url(text, error);
    if (!url) throw std::invalid_argument("--hub '" + std::string(text) + "': " + error);
    return *url;
}

std::vector<HubUrl> hub_urls_or_throw(std::string_view list) {
    std::vector<HubUrl> out;
    while (true) {
        auto comma = list.find(',');
        auto one = list.substr(0, comma);
        while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
        while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
        if (one.empty()) throw std::invalid_argument("--hub '" + std::string(list) + "': an empty URL in the list");
        out.push_back(hub_url_or_throw(one));
        if (comma == std::string_view::npos) return out;
        list.remove_prefix(comma + 1);
    }
}

}  // namespace telehub::agent
