#include "hub/net/http_session.hpp"

#include <chrono>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "hub/api/api.hpp"
#include "hub/net/agent_session.hpp"
#include "hub/http/http.hpp"
#include "hub/state/state.hpp"
#include "hub/hub_context.hpp"
#include "hub/net/live_session.hpp"

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
        return reply(error_reply(431, "headers_too_large", "request headers over 16 KiB"), false, false);
    if (ec == http::error::body_limit) return reply(error_reply(413, "body_too_large", "request body over 64 KiB"), false, false);
    if (ec) {
        if (ec == net::error::eof || ec == net::error::connection_reset) return do_close();
        return reply(error_reply(400, "bad_request", "malformed HTTP request: " + ec.message()), false, false);
    }
    ctx_.stats.http_requests.fetch_add(1, std::memory_order_relaxed);
    auto& req = parser_->get();
    std::string_view target = req.target();
    auto qpos = target.find('?');
    std::string_view path = target.substr(0, qpos);
    std::string_view query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
    const bool upgrade = beast::websocket::is_upgrade(req);
    const bool keep_alive = req.keep_alive();
    const bool head = req.method() == http::verb::head;
    auto answer = [&](HttpReply r) { reply(std::move(r), keep_alive, head); };

    // A browser page from another site must not open the live stream or drive control with this user's token.
    if ((upgrade || changes_state(req.method_string())) &&
        !origin_allowed(req[http::field::origin], req[http::field::host])) {
        ctx_.log.event("refused a cross-origin request from " + peer_ + " (Origin " +
                       std::string(req[http::field::origin]) + ") to " + std::string(path));
        return answer(error_reply(403, "cross_origin",
                                  "requests from another site's page are refused: Origin " +
                                      std::string(req[http::field::origin]) + " is not this hub"));
    }
    // Browsers cannot put headers on a WebSocket, so upgrades may carry the token in the query instead.
    std::string token(bearer_token(req[http::field::authorization]));
    bool bad_query = false;
    if (token.empty() && upgrade)
        if (auto t = query_param(query, "token", bad_query)) token = *t;
    auto access = check_access(ctx_.tokens, access_needed(path), token);
    if (access.refusal) {
        ctx_.stats.auth_failures.fetch_add(1, std::memory_order_relaxed);
        ctx_.log.event("refused " + std::string(req.method_string()) + " " + std::string(path) + " from " + peer_ +
                       ": " + std::to_string(access.refusal->status) + " (" +
                       (token.empty() ? "no token" : "a token not valid here") + ")");
        return answer(std::move(*access.refusal));
    }
    if (upgrade) {
        stream_.expires_never();
        if (path == "/ws/agent") {
            std::make_shared<AgentSession>(stream_.release_socket(), ctx_, peer_)->run(parser_->release());
            return;
        }
        if (path == "/ws/live") {
            std::make_shared<LiveSession>(stream_.release_socket(), ctx_, peer_)->run(parser_->release());
            return;
        }
        return answer(error_reply(404, "not_found", "no WebSocket endpoint at " + std::string(path)));
    }
    if (path == "/api/audit") {
        if (req.method() != http::verb::get && !head) {
            auto r = error_reply(405, "method_not_allowed", "method " + std::string(req.method_string()) +
                                                                " is not allowed on /api/audit; use GET");
            r.allow = "GET";
            return answer(std::move(r));
        }
        return answer(audit_reply(ctx_, query));
    }
    if (is_control_path(path)) {
        auto parsed = parse_control_request(req.method_string(), target, req.body());
        if (auto* refusal = std::get_if<HttpReply>(&parsed)) return answer(std::move(*refusal));
        dispatch_control(ctx_, stream_.get_executor(), std::move(std::get<ControlRequest>(parsed)),
                         ControlCaller{peer_, access.who->name},
                         [self = shared_from_this(), keep_alive, head](HttpReply r) {
                             self->reply(std::move(r), keep_alive, head);
                         });
        return;
    }
    answer(route_http(ctx_, req.method_string(), target));
}

void HttpSession::reply(HttpReply r, bool keep_alive, bool head) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "telehub");
    res->set(http::field::content_type, r.content_type);
    if (!r.allow.empty()) res->set(http::field::allow, r.allow);
    for (const auto& [name, value] : r.headers) res->set(name, value);
    res->set(http::field::cache_control, "no-cache");
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
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
