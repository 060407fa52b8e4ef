#include "hub/alerts/notify_target.hpp"

#include <charconv>

namespace telehub::hub {

std::string_view notify_kind_name(NotifyKind k) {
    switch (k) {
        case NotifyKind::webhook: return "webhook";
        case NotifyKind::slack: return "slack";
        case NotifyKind::command: return "command";
    }
    return "?";
}

std::optional<HttpUrl> parse_http_url(std::string_view url) {
    HttpUrl u;
    if (url.starts_with("https://")) {
        u.tls = true;
        url.remove_prefix(8);
    } else if (url.starts_with("http://")) {
        url.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    const auto slash = url.find_first_of("/?#");
    std::string_view authority = url.substr(0, slash);
    u.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    if (u.target.front() != '/') u.target.insert(0, "/");
    if (auto hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
    if (authority.find('@') != std::string_view::npos) return std::nullopt;  // credentials in URLs end up in logs
    std::string_view port_text;
    if (authority.starts_with("[")) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        u.host = std::string(authority.substr(1, close - 1));
        std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port_text = rest.substr(1);
        }
    } else {
        const auto colon = authority.rfind(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (u.host.empty()) return std::nullopt;
    u.port = u.tls ? 443 : 80;
    if (!port_text.empty()) {
        unsigned p = 0;
        auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || p == 0 || p > 65535) return std::nullopt;
        u.port = static_cast<std::uint16_t>(p);
    }
    return u;
}

}  // namespace telehub::hub
