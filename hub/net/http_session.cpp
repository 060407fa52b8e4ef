#include "hub/net/http_session.hpp"

#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "hub/api/api.hpp"
#include "hub/net/agent_session.hpp"
#include "hub/http/http.hpp"
#include "hub/notify/notify.hpp"
#include "hub/silences/silences.hpp"
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

constexpr auto write_timeout = std::chrono::seconds(30);   // for an answer to be taken by the peer
constexpr auto tls_shutdown_timeout = std::chrono::seconds(5);

// Sent on every answer: pages run only the hub's own scripts and styles, talk
// only to the hub, are never framed, and never send a Referer (the dashboard
// URL may carry a token).
constexpr const char* content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out.empty() ? "none" : out;
}

// Where a plain request for a dashboard page on the TLS port belongs: the same
// host name the browser used, on this port, over https. Nothing for the API,
// /metrics, WebSockets and other methods (their clients want the reason, not
// a redirect), nor for a Host header that is not a plain name or address.
std::optional<std::string> https_location(const http::request<http::string_body>& req, bool serves_tls,
                                          std::uint16_t port) {
    if (!serves_tls || beast::websocket::is_upgrade(req)) return std::nullopt;
    if (req.method() != http::verb::get && req.method() != http::verb::head) return std::nullopt;
    const std::string_view target = req.target();
    if (target.empty() || target.front() != '/' || target.size() > 2048) return std::nullopt;
    for (std::string_view api : {"/api/", "/ws/", "/metrics", "/healthz"})
        if (target.starts_with(api)) return std::nullopt;
    std::string_view host = req[http::field::host];
    if (host.empty() || host.size() > 255) return std::nullopt;
    for (char c : host)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            return std::nullopt;
    // The name without the browser's port: this hub's port is the one it reached.
    const auto cut = host.front() == '[' ? host.find(']') + 1 : host.find(':');
    const std::string_view name = host.substr(0, cut);
    if (name.empty() || name == "[]") return std::nullopt;
    return "https://" + std::string(name) + (port == 443 ? std::string() : ":" + std::to_string(port)) + std::string(target);
}

}  // namespace

template <class Stream>
HttpSession<Stream>::HttpSession(Stream&& stream, beast::flat_buffer&& buffer, HubContext& ctx, std::string peer,
                                 bool plain_refused)
    : stream_(std::move(stream)),
      buffer_(std::move(buffer)),
      ctx_(ctx),
      peer_(std::move(peer)),
      plain_refused_(plain_refused) {}

template <class Stream>
void HttpSession<Stream>::run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpSession<Stream>::do_read, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::do_read() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(body_limit);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(ctx_.config.http_header_timeout_s));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession<Stream>::on_read, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted)
        return do_close();
    if (ec == http::error::header_limit)
        return reply(error_reply(431, "headers_too_large", "request headers over 16 KiB"), false, false);
    if (ec == http::error::body_limit) return reply(error_reply(413, "body_too_large", "request body over 64 KiB"), false, false);
    if (ec) {
        if (ec == net::error::eof || ec == net::error::connection_reset || ec == net::ssl::error::stream_truncated)
            return do_close();
        return reply(error_reply(400, "bad_request", "malformed HTTP request: " + ec.message()), false, false);
    }
    ctx_.stats.http_requests.fetch_add(1, std::memory_order_relaxed);
    auto& req = parser_->get();
    if (plain_refused_) {
        // A browser that typed http:// for the dashboard is sent to https:// on this port, as a
        // web server would; API, metrics and WebSocket clients get the reason instead.
        if (auto to = https_location(req, ctx_.tls != nullptr, ctx_.config.listen_port)) {
            HttpReply moved{308, "text/plain; charset=utf-8", "this hub serves its dashboard over https: " + *to + "\n", {}, {}};
            moved.headers.emplace_back("Location", *to);
            return reply(std::move(moved), false, req.method() == http::verb::head);
        }
        ctx_.log.event("refused plain HTTP from " + peer_ + " to " + std::string(req.target().substr(0, 200)) +
                       ": only --plain-from peers (" + joined(ctx_.config.plain_from) + ") may skip TLS");
        return reply(error_reply(403, "tls_required",
                                 "this hub accepts plain HTTP only from the addresses its --plain-from names; connect "
                                 "with https:// or wss://"),
                     false, false);
    }
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
    auto access = check_access(ctx_.tokens, access_needed(req.method_string(), path), token);
    if (access.refusal) {
        ctx_.stats.auth_failures.fetch_add(1, std::memory_order_relaxed);
        ctx_.log.event("refused " + std::string(req.method_string()) + " " + std::string(path) + " from " + peer_ +
                       ": " + std::to_string(access.refusal->status) + " (" +
                       (token.empty()  ? "no token"
                        : access.who ? "credential '" + access.who->name + "', which may only view"
                                     : "a token not valid here") +
                       ")");
        return answer(std::move(*access.refusal));
    }
    if (upgrade) {
        beast::get_lowest_layer(stream_).expires_never();
        if (path == "/ws/agent") {
            std::make_shared<AgentSession<Stream>>(std::move(stream_), ctx_, peer_)->run(parser_->release());
            return;
        }
        if (path == "/ws/live") {
            std::make_shared<LiveSession<Stream>>(std::move(stream_), ctx_, peer_, access.who)->run(parser_->release());
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
    if (path == "/api/rules") {
        auto r = rules_reply(ctx_.alerts, req.method_string(), req.body());
        if (req.method() == http::verb::put && r.status == 200)
            ctx_.log.event("alert rules replaced by PUT /api/rules from " + peer_ + ": " +
                           std::to_string(ctx_.alerts.rules().size()) + " rules" +
                           (ctx_.config.rules_file.empty() ? " (no --rules file: kept until a restart)"
                                                           : ", written to " + ctx_.config.rules_file));
        return answer(std::move(r));
    }
    if (is_silences_path(path))
        return answer(silences_reply(ctx_.silences, req.method_string(), path, req.body(), access.who->name,
                                     HostRegistry::system_clock_ms()));
    if (path == "/api/notifications") return answer(notifications_reply(*ctx_.notifier, req.method_string()));
    if (path == "/metrics") {
        if (req.method() != http::verb::get && !head) {
            auto r = error_reply(405, "method_not_allowed",
                                 "method " + std::string(req.method_string()) + " is not allowed on /metrics; use GET");
            r.allow = "GET";
            return answer(std::move(r));
        }
        serve_metrics(ctx_, stream_.get_executor(), [self = this->shared_from_this(), keep_alive, head](HttpReply r) {
            self->reply(std::move(r), keep_alive, head);
        });
        return;
    }
    if (is_control_path(path)) {
        auto parsed = parse_control_request(req.method_string(), target, req.body());
        if (auto* refusal = std::get_if<HttpReply>(&parsed)) {
            auto named = control_target(req.method_string(), path);
            if (!named) return answer(std::move(*refusal));
            audit_refused(ctx_, stream_.get_executor(), std::move(*named), req.body(), std::move(*refusal),
                          ControlCaller{peer_, access.who->name},
                          [self = this->shared_from_this(), keep_alive, head](HttpReply r) {
                              self->reply(std::move(r), keep_alive, head);
                          });
            return;
        }
        dispatch_control(ctx_, stream_.get_executor(), std::move(std::get<ControlRequest>(parsed)),
                         ControlCaller{peer_, access.who->name},
                         [self = this->shared_from_this(), keep_alive, head](HttpReply r) {
                             self->reply(std::move(r), keep_alive, head);
                         });
        return;
    }
    if (req.method() == http::verb::delete_)
        if (auto route = parse_host_route(path); route && !route->history)
            return forget_host_audited(ctx_, stream_.get_executor(), route->host_id, ControlCaller{peer_, access.who->name},
                                       [self = this->shared_from_this(), keep_alive, head](HttpReply r) {
                                           self->reply(std::move(r), keep_alive, head);
                                       });
    // Reads only: a DELETE of a host is forgotten above, any other method is a 405 here.
    if ((req.method() == http::verb::get || head) && forward_to_holder(path, target, keep_alive, head)) return;
    if (long_reply_route(path))
        return answer_in_background(std::string(req.method_string()), std::string(target), keep_alive, head);
    answer(route_http(ctx_, req.method_string(), target));
}

// The session is held by the job until its reply is written: no read is
// pending meanwhile, so nothing else keeps it.
template <class Stream>
void HttpSession<Stream>::answer_in_background(std::string method, std::string target, bool keep_alive, bool head) {
    if (ctx_.background_replies.fetch_add(1) >= HubContext::max_background_replies) {
        ctx_.background_replies.fetch_sub(1);
        return reply(error_reply(503, "busy",
                                 "too many long replies (host lists, histories, fleet processes) are being built on "
                                 "this hub; retry later"),
                     keep_alive, head);
    }
    ctx_.background.post(BackgroundWork::Priority::bulk, [self = this->shared_from_this(), ex = stream_.get_executor(), method = std::move(method),
                                target = std::move(target), keep_alive, head]() mutable {
        auto& ctx = self->ctx_;
        if (ctx.stopping) {
            ctx.background_replies.fetch_sub(1);
            return;
        }
        auto r = route_http(ctx, method, target);
        ctx.background_replies.fetch_sub(1);
        net::post(ex, [self = std::move(self), r = std::move(r), keep_alive, head]() mutable {
            self->reply(std::move(r), keep_alive, head);
        });
    });
}

// With --cluster, a per-host read of a host another hub holds (and this one
// does not, or holds offline) is asked of that hub through Redis.
template <class Stream>
bool HttpSession<Stream>::forward_to_holder(std::string_view path, std::string_view target, bool keep_alive, bool head) {
    if (!ctx_.cluster) return false;
    auto route = parse_host_route(path);
    if (!route) return false;
    auto hub = ctx_.cluster->holder(route->host_id);
    if (!hub) return false;
    if (ctx_.registry.online(route->host_id).value_or(false)) return false;
    ctx_.cluster->forward_get(*hub, std::string(target),
                              [self = this->shared_from_this(), ex = stream_.get_executor(), keep_alive, head](
                                  ClusterMember::Answer a) {
                                  net::post(ex, [self, a = std::move(a), keep_alive, head]() mutable {
                                      self->reply(HttpReply{a.status, std::move(a.content_type), std::move(a.body), {}, {}},
                                                  keep_alive, head);
                                  });
                              });
    return true;
}

template <class Stream>
void HttpSession<Stream>::reply(HttpReply r, bool keep_alive, bool head) {
    // Statuses from elsewhere (another hub's answer) are checked where they
    // arrive; this is the last guard before a status line is written.
    if (!is_http_status(r.status))
        r = error_reply(502, "bad_status",
                        "the answer to this request carried status " + std::to_string(r.status) +
                            ", which is not an HTTP status");
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "telehub");
    res->set(http::field::content_type, r.content_type);
    if (!r.allow.empty()) res->set(http::field::allow, allow_header(r.allow));
    for (const auto& [name, value] : r.headers) res->set(name, value);
    res->set(http::field::cache_control, "no-cache");
    res->set("Content-Security-Policy", content_security_policy);
    res->set("X-Content-Type-Options", "nosniff");
    res->set("Referrer-Policy", "no-referrer");
    res->set("X-Frame-Options", "DENY");
    if constexpr (is_tls_stream<Stream>) res->set(http::field::strict_transport_security, "max-age=31536000");
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    if (head) res->body().clear();  // keeps Content-Length of the GET
    beast::get_lowest_layer(stream_).expires_after(write_timeout);
    http::async_write(stream_, *res, [self = this->shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
        if (ec || !keep_alive) return self->do_close();
        self->do_read();
    });
}

template <class Stream>
void HttpSession<Stream>::do_close() {
    if constexpr (is_tls_stream<Stream>) {
        // The TLS close_notify, bounded: a peer that never answers it is cut off.
        beast::get_lowest_layer(stream_).expires_after(tls_shutdown_timeout);
        stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
            beast::error_code ec;
            beast::get_lowest_layer(self->stream_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
        });
    } else {
        beast::error_code ec;
        stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    }
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

}  // namespace telehub::hub
