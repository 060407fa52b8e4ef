#include "tests/support/ws_client_frames.hpp"

namespace telehub::test {

std::string masked_client_frame(std::uint8_t first_byte, std::string_view payload, std::array<std::uint8_t, 4> mask) {
    std::string f(1, static_cast<char>(first_byte));
    const std::uint64_t n = payload.size();
    if (n < 126) {
        f.push_back(static_cast<char>(0x80 | n));
    } else if (n <= 0xffff) {
        f.push_back(static_cast<char>(0x80 | 126));
        f.push_back(static_cast<char>(n >> 8));
        f.push_back(static_cast<char>(n & 0xff));
    } else {
        f.push_back(static_cast<char>(0x80 | 127));
        for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    }
    f.append(reinterpret_cast<const char*>(mask.data()), mask.size());
    for (std::size_t i = 0; i < n; ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
    return f;
}

hub::ws::UpgradeRequest agent_upgrade_request() {
    namespace http = boost::beast::http;
    hub::ws::UpgradeRequest req{http::verb::get, "/ws/agent", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    req.set(http::field::sec_websocket_version, "13");
    return req;
}

}  // namespace telehub::test
