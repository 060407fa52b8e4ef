// One accepted TCP connection speaking HTTP/1.1: REST, static files, and the
// WebSocket upgrades to /ws/agent and /ws/live, which hand the socket to an
// AgentSession or LiveSession. Header and body limits and an idle timeout
// bound what one client can hold.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "hub/api/api.hpp"

namespace telehub::hub {

struct HubContext;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(boost::asio::ip::tcp::socket&& socket, HubContext& ctx);
    void run();

private:
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t n);
    void reply(HttpReply r, bool keep_alive, bool head);
    void do_close();

    boost::beast::tcp_stream stream_;
    HubContext& ctx_;
    std::string peer_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
};

}  // namespace telehub::hub
