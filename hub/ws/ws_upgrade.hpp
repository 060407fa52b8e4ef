// The server's half of the WebSocket opening handshake (RFC 6455, 4.2) for
// sessions that read frames themselves (ws_frame.hpp): the checks Beast's
// accept makes on the upgrade request, and the 101 answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace telehub::hub::ws {

using UpgradeRequest = boost::beast::http::request<boost::beast::http::string_body>;

// What is wrong with an upgrade request, as the refusal to send (400, or 426
// naming the version the hub speaks), or nothing when it may be accepted.
std::optional<boost::beast::http::response<boost::beast::http::string_body>> check_upgrade(const UpgradeRequest& req);

// Sec-WebSocket-Accept for a request's Sec-WebSocket-Key.
std::string accept_key(std::string_view sec_key);

// The 101 Switching Protocols answer to a request check_upgrade() passed.
boost::beast::http::response<boost::beast::http::empty_body> switching_protocols(const UpgradeRequest& req);

}  // namespace telehub::hub::ws
