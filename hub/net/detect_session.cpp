#include "hub/net/detect_session.hpp"

#include <chrono>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/detect_ssl.hpp>

#include "hub/hub_context.hpp"
#include "hub/net/http_session.hpp"

namespace telehub::hub {
namespace beast = boost::beast;
namespace net = boost::asio;

namespace {

// For the first bytes and then the whole TLS handshake: a peer that connects
// and says nothing holds a socket no longer than this.
constexpr auto handshake_timeout = std::chrono::seconds(10);

struct Peer {
    std::string text;
    bool plain_refused = true;
};

Peer peer_of(const net::ip::tcp::socket& s, const HubContext& ctx) {
    beast::error_code ec;
    auto ep = s.remote_endpoint(ec);
    if (ec) return {"unknown peer", true};
    return {ep.address().to_string() + ":" + std::to_string(ep.port()), !ctx.plain_allowed(ep.address())};
}

}  // namespace

void start_connection(net::ip::tcp::socket&& socket, HubContext& ctx) {
    if (!ctx.tls) {
        auto peer = peer_of(socket, ctx);
        std::make_shared<HttpSession<PlainStream>>(PlainStream(std::move(socket)), beast::flat_buffer(), ctx,
                                                   std::move(peer.text), peer.plain_refused)
            ->run();
        return;
    }
    std::make_shared<DetectSession>(std::move(socket), ctx)->run();
}

DetectSession::DetectSession(net::ip::tcp::socket&& socket, HubContext& ctx) : stream_(std::move(socket)), ctx_(ctx) {
    auto peer = peer_of(stream_.socket(), ctx_);
    peer_ = std::move(peer.text);
    plain_refused_ = peer.plain_refused;
}

void DetectSession::run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        self->stream_.expires_after(handshake_timeout);
        beast::async_detect_ssl(self->stream_, self->buffer_,
                                beast::bind_front_handler(&DetectSession::on_detect, self));
    });
}

void DetectSession::on_detect(beast::error_code ec, bool is_tls) {
    if (ec) return;  // closed or silent before a first byte: nothing worth a log line
    if (!is_tls) return start_plain();
    auto tls = std::make_shared<TlsStream>(std::move(stream_), *ctx_.tls->context(), buffer_.data());
    buffer_.consume(buffer_.size());  // the TLS stream owns those bytes now
    tls->async_handshake([self = shared_from_this(), tls](beast::error_code ec) {
        if (ec) {
            self->ctx_.stats.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
            self->ctx_.log.event("TLS handshake with " + self->peer_ + " failed: " + ec.message());
            return;
        }
        beast::get_lowest_layer(*tls).expires_never();
        // Over TLS every peer is welcome to HTTP; tokens decide the rest.
        std::make_shared<HttpSession<TlsStream>>(std::move(*tls), std::move(self->buffer_), self->ctx_, self->peer_,
                                                 false)
            ->run();
    });
}

void DetectSession::start_plain() {
    stream_.expires_never();
    std::make_shared<HttpSession<PlainStream>>(std::move(stream_), std::move(buffer_), ctx_, peer_, plain_refused_)
        ->run();
}

}  // namespace telehub::hub
