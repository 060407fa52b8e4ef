#include "hub/net/live_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "hub/hub_context.hpp"
#include "hub/api/api.hpp"
#include "hub/state/state.hpp"
#include "telehub/codec.hpp"

namespace telehub::hub {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {

constexpr std::size_t max_client_message = 64 * 1024;  // a subscribe message is small

}  // namespace

template <class Stream>
LiveSession<Stream>::LiveSession(Stream&& stream, HubContext& ctx, std::string peer, std::optional<Principal> who)
    : ws_(std::move(stream)),
      ctx_(ctx),
      peer_(std::move(peer)),
      who_(std::move(who)),
      queue_(ctx.config.live_queue_bytes, ctx.config.live_queue_messages) {
    ctx_.stats.live_clients.fetch_add(1, std::memory_order_relaxed);
}

template <class Stream>
LiveSession<Stream>::~LiveSession() {
    ctx_.stats.live_clients.fetch_sub(1, std::memory_order_relaxed);
    if (id_) ctx_.live.remove(id_);
}

template <class Stream>
void LiveSession<Stream>::run(beast::http::request<beast::http::string_body> upgrade) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(max_client_message);
    // Each frame goes out as one WebSocket frame in one write: Beast would
    // otherwise cut it into 4 KB fragments, one send call each (at 2,000
    // hosts the ~0.9 MB summaries frame was ~200 sends per dashboard a second).
    ws_.auto_fragment(false);
    ws_.async_accept(upgrade, beast::bind_front_handler(&LiveSession<Stream>::on_accept, this->shared_from_this()));
}

template <class Stream>
void LiveSession<Stream>::on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "handshake");
    accepted_ = true;
    id_ = ctx_.live.add(this->weak_from_this());
    send_snapshot(HostFilter{});
    do_read();
}

template <class Stream>
void LiveSession<Stream>::do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&LiveSession<Stream>::on_read, this->shared_from_this()));
}

template <class Stream>
void LiveSession<Stream>::on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "read");
    if (!ws_.got_text()) {
        send_error("binary_frame", "binary frames are not accepted; send JSON text");
    } else {
        auto data = buffer_.data();
        handle_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    buffer_.consume(buffer_.size());
    do_read();
}

template <class Stream>
void LiveSession<Stream>::handle_message(std::string_view text) {
    auto sub = parse_subscribe(text);
    if (auto* e = std::get_if<SubscribeError>(&sub)) return send_error(e->code, e->message);
    auto& [filter, detail] = std::get<Subscription>(sub);
    ctx_.live.subscribe(id_, filter, std::move(detail));
    send_snapshot(filter);
}

template <class Stream>
void LiveSession<Stream>::send_error(std::string_view code, const std::string& message) {
    enqueue({std::make_shared<const std::string>(encode_error(code, message)), LiveMessageKind::error});
}

// A snapshot lists every matching host with up to 300 points of CPU: about
// 20 MB at 10,000 hosts, hundreds of ms to build, which on an io thread would
// hold every agent's samples behind it. A dashboard typing a search sends a
// subscribe per change: only the newest request is built.
template <class Stream>
void LiveSession<Stream>::send_snapshot(const HostFilter& filter) {
    const auto request = ++snapshot_requests_;
    ctx_.background.post(BackgroundWork::Priority::interactive, [weak = this->weak_from_this(), filter, request] {
        auto self = weak.lock();
        if (!self || self->ctx_.stopping || self->snapshot_requests_.load() != request) return;
        auto& ctx = self->ctx_;
        HostCounts counts;
        auto hosts = fleet_snapshots(ctx.registry, filter, ctx.remote_hosts(), counts);
        auto frame = build_snapshot_frame(HostRegistry::system_clock_ms(), ctx.registry.high_cpu(), counts, hosts);
        self->deliver({std::make_shared<const std::string>(std::move(frame)), LiveMessageKind::snapshot});
    });
}

template <class Stream>
void LiveSession<Stream>::deliver(LiveMessage m) {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), m = std::move(m)]() mutable { self->enqueue(std::move(m)); });
}

template <class Stream>
void LiveSession<Stream>::enqueue(LiveMessage m) {
    if (!accepted_ || close_requested_) return;
    // The protocol starts with a snapshot: summaries before it have nothing to update.
    if (m.kind == LiveMessageKind::summaries && awaiting_snapshot_) return;
    if (m.kind == LiveMessageKind::snapshot) awaiting_snapshot_ = false;
    if (queue_.push(std::move(m)) == LiveQueue::Push::replaced)
        ctx_.stats.live_messages_dropped.fetch_add(1, std::memory_order_relaxed);
    if (queue_.over_limit()) {
        auto now = std::chrono::steady_clock::now();
        if (!over_since_) over_since_ = now;
        bool stalled = now - *over_since_ >= std::chrono::milliseconds(ctx_.config.live_stall_ms);
        // Twice the byte limit is the hard bound on one client's backlog (its view,
        // one snapshot and one summaries set, is bounded by the fleet instead).
        bool too_much = queue_.backlog_bytes() > 2 * ctx_.config.live_queue_bytes;
        if (stalled || too_much) {
            ctx_.stats.live_clients_dropped.fetch_add(1, std::memory_order_relaxed);
            ctx_.log.event("live client " + peer_ + " dropped: not reading (" + std::to_string(queue_.backlog_frames()) +
                           " detail samples and errors, " + std::to_string(queue_.backlog_bytes()) + " bytes, queued)");
            return close(websocket::close_code::policy_error, "too slow: the client is not reading");
        }
    } else {
        over_since_.reset();
    }
    if (!writing_) write_next();
}

template <class Stream>
void LiveSession<Stream>::write_next() {
    if (close_requested_) {
        if (!closing_ && !writing_) {
            closing_ = true;
            ws_.async_close(websocket::close_reason(websocket::close_code::going_away, "closing"),
                            [self = this->shared_from_this()](beast::error_code) {});
        }
        return;
    }
    if (!queue_.ready()) return;
    writing_ = true;
    const auto& frame = queue_.start_next();
    ws_.text(true);
    ws_.async_write(net::buffer(frame), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
        self->writing_ = false;
        if (ec) return self->fail(ec, "write");
        self->queue_.finish_next();
        if (!self->queue_.over_limit()) self->over_since_.reset();
        self->write_next();
    });
}

template <class Stream>
void LiveSession<Stream>::close(std::uint16_t code, std::string reason) {
    if (close_requested_ || !accepted_) return;
    close_requested_ = true;
    if (writing_) {
        // A stalled write never completes: cut the connection rather than wait for it.
        if (code != websocket::close_code::going_away) beast::get_lowest_layer(ws_).cancel();
        return;
    }
    closing_ = true;
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                    [self = this->shared_from_this()](beast::error_code) {});
}

template <class Stream>
void LiveSession<Stream>::shutdown() {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
        if (!self->accepted_) return beast::get_lowest_layer(self->ws_).cancel();
        self->close(websocket::close_code::going_away, "hub shutting down");
    });
}

template <class Stream>
void LiveSession<Stream>::recheck_credential() {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
        // Reading open to all (no viewer tokens, "-"): nothing to revoke.
        if (!self->accepted_ || !self->who_ || self->who_->name == "-" || !self->ctx_.tokens.requires_viewer_token() ||
            self->ctx_.tokens.still_valid(*self->who_))
            return;
        self->ctx_.log.event("closing the live view of " + self->peer_ + ": its credential '" + self->who_->name +
                             "' was revoked");
        self->close(4001, "credential '" + self->who_->name + "' was revoked");
    });
}

template <class Stream>
void LiveSession<Stream>::fail(beast::error_code ec, const char* what) {
    if (ec == net::error::operation_aborted || ec == websocket::error::closed) return;
    (void)what;  // a dashboard going away is routine; nothing to log
}

template class LiveSession<PlainStream>;
template class LiveSession<TlsStream>;

}  // namespace telehub::hub
