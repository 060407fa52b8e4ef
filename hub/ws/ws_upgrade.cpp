#include "hub/ws/ws_upgrade.hpp"

#include <array>
#include <string>

#include <openssl/evp.h>

#include <boost/beast/websocket/rfc6455.hpp>

namespace telehub::hub::ws {
namespace http = boost::beast::http;

namespace {

http::response<http::string_body> refusal(const UpgradeRequest& req, http::status status, std::string why) {
    http::response<http::string_body> res{status, req.version()};
    res.set(http::field::server, "telehub");
    res.set(http::field::content_type, "text/plain");
    res.keep_alive(false);
    res.body() = "WebSocket upgrade refused: " + std::move(why) + "\n";
    res.prepare_payload();
    return res;
}

// A key is 16 random bytes in base64: 22 characters of the alphabet and "==".
bool valid_sec_key(std::string_view key) {
    if (key.size() != 24 || key.substr(22) != "==") return false;
    for (char c : key.substr(0, 22)) {
        const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alpha && c != '+' && c != '/') return false;
    }
    return true;
}

}  // namespace

std::optional<http::response<http::string_body>> check_upgrade(const UpgradeRequest& req) {
    if (req.version() < 11) return refusal(req, http::status::bad_request, "HTTP/1.1 is required");
    if (req.method() != http::verb::get) return refusal(req, http::status::bad_request, "the method must be GET");
    if (!boost::beast::websocket::is_upgrade(req))
        return refusal(req, http::status::bad_request, "not an upgrade to websocket");
    if (req[http::field::host].empty()) return refusal(req, http::status::bad_request, "the Host header is missing");
    if (!valid_sec_key(req[http::field::sec_websocket_key]))
        return refusal(req, http::status::bad_request, "Sec-WebSocket-Key is missing or not 16 bytes in base64");
    if (req[http::field::sec_websocket_version] != "13") {
        auto res = refusal(req, http::status::upgrade_required, "this hub speaks WebSocket version 13");
        res.set(http::field::sec_websocket_version, "13");
        return res;
    }
    return std::nullopt;
}

std::string accept_key(std::string_view sec_key) {
    static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::string in;
    in.reserve(sec_key.size() + guid.size());
    in.append(sec_key).append(guid);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_Digest(in.data(), in.size(), digest.data(), &size, EVP_sha1(), nullptr);
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> text{};
    const int n = EVP_EncodeBlock(text.data(), digest.data(), static_cast<int>(size));
    return std::string(reinterpret_cast<const char*>(text.data()), static_cast<std::size_t>(n));
}

http::response<http::empty_body> switching_protocols(const UpgradeRequest& req) {
    http::response<http::empty_body> res{http::status::switching_protocols, req.version()};
    res.set(http::field::server, "telehub");
    res.set(http::field::upgrade, "websocket");
    res.set(http::field::connection, "upgrade");
    res.set(http::field::sec_websocket_accept, accept_key(req[http::field::sec_websocket_key]));
    return res;
}

}  // namespace telehub::hub::ws
