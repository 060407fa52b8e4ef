#include "hub/http_session.hpp"

#include <chrono>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "hub/agent_session.hpp"
#include "hub/hub_context.hpp"
#include "hub/live_session.hpp"
#include "hub/rest_api.hpp"

namespace telehub::hub {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

constexpr std::uint32_t header_limit = 16 * 1024;          // request line and headers
constexpr std::uint64_t body_limit = 64 * 1024;            // the REST API takes no large bodies
constexpr auto idle_timeout = std::chrono::seconds(30);    // for headers to arrive and between requests

std::string peer_of(const net::ip::tcp::socket& s) {
    beast::error_code ec;
    auto ep = s.remote_endpoint(ec);
    if (ec) return "unknown peer";
    return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket&& socket, HubContext& ctx)
    : stream_(std::move(socket)), ctx_(ctx), peer_(peer_of(stream_.socket())) {}

void HttpSession::run() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
}

void HttpSession::do_read() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(body_limit);
    stream_.expires_after(idle_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted)
        return do_close();
    if (ec == http::error::header_limit)
        return reply(431, "application/json", error_reply(431, "headers_too_large", "request headers over 16 KiB").body, {}, false, false);
    if (ec == http::error::body_limit)
        return reply(413, "application/json", error_reply(413, "body_too_large", "request body over 64 KiB").body, {}, false, false);
    if (ec) {
        if (ec == net::error::eof || ec == net::error::connection_reset) return do_close();
        return reply(400, "application/json", error_reply(400, "bad_request", "malformed HTTP request: " + ec.message()).body, {}, false, false);
    }
    ctx_.stats.http_requests.fetch_add(1, std::memory_order_relaxed);
    auto& req = parser_->get();
    std::string_view target = req.target();
    std::string_view path = target.substr(0, target.find('?'));
    if (beast::websocket::is_upgrade(req)) {
        stream_.expires_never();
        if (path == "/ws/agent") {
            std::make_shared<AgentSession>(stream_.release_socket(), ctx_, peer_)->run(parser_->release());
            return;
        }
        if (path == "/ws/live") {
            std::make_shared<LiveSession>(stream_.release_socket(), ctx_, peer_)->run(parser_->release());
            return;
        }
        auto r = error_reply(404, "not_found", "no WebSocket endpoint at " + std::string(path));
        return reply(r.status, r.content_type, r.body, {}, false, false);
    }
    auto r = route_http(ctx_, req.method_string(), target);
    reply(r.status, std::move(r.content_type), std::move(r.body), std::move(r.allow), req.keep_alive(),
          req.method() == http::verb::head);
}

void HttpSession::reply(int status, std::string content_type, std::string body, std::string allow, bool keep_alive,
                        bool head) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), 11);
    res->set(http::field::server, "telehub");
    res->set(http::field::content_type, content_type);
    if (!allow.empty()) res->set(http::field::allow, allow);
    res->set(http::field::cache_control, "no-cache");
    res->keep_alive(keep_alive);
    res->body() = std::move(body);
    res->prepare_payload();
    if (head) res->body().clear();  // keeps Content-Length of the GET
    stream_.expires_after(idle_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
        if (ec || !keep_alive) return self->do_close();
        self->do_read();
    });
}

void HttpSession::do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace telehub::hub
