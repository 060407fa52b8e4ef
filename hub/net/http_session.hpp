// One accepted connection speaking HTTP/1.1, plain or over TLS: REST, static
// files, and the WebSocket upgrades to /ws/agent and /ws/live, which hand the
// stream to an AgentSession or LiveSession. Header and body limits and an
// idle timeout bound what one client can hold. A plain connection from a
// peer outside the loopback set is answered 403 to every request.
#pragma once

#include <memory>
#include <string_view>
#include <optional>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "hub/api/api.hpp"
#include "hub/net/streams.hpp"

namespace telehub::hub {

struct HubContext;

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
public:
    // `buffer` holds what was read before the session began (the TLS detection's bytes).
    HttpSession(Stream&& stream, boost::beast::flat_buffer&& buffer, HubContext& ctx, std::string peer,
                bool plain_refused);
    void run();

private:
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t n);
    void reply(HttpReply r, bool keep_alive, bool head);
    bool forward_to_holder(std::string_view path, std::string_view target, bool keep_alive, bool head);
    void answer_in_background(std::string method, std::string target, bool keep_alive, bool head);
    void do_close();

    Stream stream_;
    boost::beast::flat_buffer buffer_;
    HubContext& ctx_;
    std::string peer_;
    bool plain_refused_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
};

}  // namespace telehub::hub
