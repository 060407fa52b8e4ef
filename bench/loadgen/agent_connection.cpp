#include "loadgen/agent_connection.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/ssl.h>

#include "agent/stream/backfill_buffer.hpp"
#include "loadgen/live_frame.hpp"
#include "telehub/codec.hpp"

namespace telehub::loadgen {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using boost::system::error_code;

namespace {

constexpr auto connect_timeout = std::chrono::seconds(10);  // TCP connect, then the TLS handshake
// The real agent's HubClientOptions::stable_after: a connection that lasted
// this long resets the backoff, so the first retry comes after 0.25-0.5 s.
constexpr auto stable_after = std::chrono::seconds(5);

std::int64_t system_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

// One connection attempt; handlers hold it, so a stream outlives its last
// pending operation even after the agent moved on to a new attempt.
struct AgentConnection::Link {
    using PlainWs = websocket::stream<beast::tcp_stream>;
    using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

    Link(net::io_context& ioc, net::ssl::context* tls) {
        if (tls) secure.emplace(ioc, *tls);
        else plain.emplace(ioc);
    }
    template <class F>
    decltype(auto) ws(F&& f) {
        return secure ? f(*secure) : f(*plain);
    }
    beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : beast::get_lowest_layer(*plain); }
    SSL* ssl() { return secure ? secure->next_layer().native_handle() : nullptr; }

    std::optional<PlainWs> plain;
    std::optional<TlsWs> secure;
    beast::flat_buffer rx;
};

AgentConnection::AgentConnection(net::io_context& ioc, FleetShared& shared, std::size_t index)
    : ioc_(ioc), shared_(shared), index_(index) {}

AgentConnection::~AgentConnection() {
    if (session_) SSL_SESSION_free(session_);
}

void AgentConnection::start(std::function<void()> settled) {
    settled_ = std::move(settled);
    connect();
}

void AgentConnection::connect() {
    auto link = std::make_shared<Link>(ioc_, shared_.tls);
    link_ = link;
    shared_.counters.connects_started.fetch_add(1, std::memory_order_relaxed);
    link->tcp().expires_after(connect_timeout);
    link->tcp().async_connect(shared_.hub, [this, link](error_code ec) { on_connect(link, ec); });
}

void AgentConnection::on_connect(const LinkPtr& link, error_code ec) {
    if (link != link_) return;
    if (ec) return lost(link, ec, "connect");
    link->tcp().socket().set_option(net::ip::tcp::no_delay(true), ec);
    if (!link->secure) return websocket_handshake(link);
    // The pinned fingerprint (if any) is checked by the context's verify
    // callback; a resumed session skips the certificate altogether.
    if (session_) {
        // A copy per attempt as well: an attempt that fails after the
        // ClientHello would otherwise spoil the kept session for the next.
        SSL_SESSION* copy = SSL_SESSION_dup(session_);
        if (copy) {
            SSL_set_session(link->ssl(), copy);
            SSL_SESSION_free(copy);  // the SSL holds its own reference
        }
    }
    link->secure->next_layer().async_handshake(net::ssl::stream_base::client,
                                               [this, link](error_code ec) { on_tls_handshake(link, ec); });
}

void AgentConnection::on_tls_handshake(const LinkPtr& link, error_code ec) {
    if (link != link_) return;
    if (ec) return lost(link, ec, "TLS handshake");
    shared_.counters.tls_handshakes.fetch_add(1, std::memory_order_relaxed);
    if (SSL_session_reused(link->ssl())) shared_.counters.tls_resumed.fetch_add(1, std::memory_order_relaxed);
    websocket_handshake(link);
}

void AgentConnection::websocket_handshake(const LinkPtr& link) {
    auto host = shared_.hub.address().to_string() + ":" + std::to_string(shared_.hub.port());
    link->ws([&](auto& ws) {
        // The stream's own timer now only guards the handshake; afterwards the
        // WebSocket layer's timeouts apply.
        ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws.secure_prng(false);  // the mask needs no cryptographic strength on loopback
        ws.auto_fragment(false);
        ws.write_buffer_bytes(16 * 1024);
        ws.async_handshake(host, "/ws/agent", [this, link](error_code ec) { on_handshake(link, ec); });
    });
}

void AgentConnection::on_handshake(const LinkPtr& link, error_code ec) {
    if (link != link_) return;
    if (ec) return lost(link, ec, "WebSocket handshake on /ws/agent");
    link->tcp().expires_never();
    open_ = true;
    dropping_ = false;
    link->ws([](auto& ws) { ws.text(true); });
    if (hello_.empty()) hello_ = encode_hello(shared_.factory->hello(index_, shared_.instance_ms));
    writing_ = true;
    link->ws([&](auto& ws) {
        ws.async_write(net::buffer(hello_), [this, link](error_code ec, std::size_t) {
            if (link != link_) return;
            writing_ = false;
            if (ec) return lost(link, ec, "sending the hello");
            shared_.counters.connected.fetch_add(1, std::memory_order_relaxed);
            if (shared_.reconnect) pump();
        });
    });
    do_read(link);
}

void AgentConnection::do_read(const LinkPtr& link) {
    link->ws([&](auto& ws) {
        ws.async_read(link->rx, [this, link](error_code ec, std::size_t n) { on_read(link, ec, n); });
    });
}

void AgentConnection::on_read(const LinkPtr& link, error_code ec, std::size_t) {
    if (link != link_) return;
    if (ec) return lost(link, ec, "waiting for the welcome");
    auto data = link->rx.cdata();
    std::string_view text(static_cast<const char*>(data.data()), data.size());
    switch (classify_live_frame(text)) {
    case LiveFrameKind::welcome:
        if (!welcomed_) {
            std::uint64_t last_seq = 0;
            if (shared_.reconnect) {
                // {"type":"welcome","protocol":1,"last_seq":N}: only the reconnecting agents need N.
                auto at = text.find("\"last_seq\":");
                if (at != std::string_view::npos)
                    for (auto i = at + 11; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
                        last_seq = last_seq * 10 + std::uint64_t(text[i] - '0');
            }
            on_welcome(link, last_seq);
        }
        break;
    case LiveFrameKind::command:
        if (shared_.reconnect) answer(text);
        break;
    case LiveFrameKind::error:
        shared_.counters.error_frames.fetch_add(1, std::memory_order_relaxed);
        shared_.errors.note("hub error frame: " + std::string(text.substr(0, 200)));
        break;
    default:
        break;
    }
    if (link != link_) return;
    link->rx.clear();
    do_read(link);
}

void AgentConnection::on_welcome(const LinkPtr& link, std::uint64_t last_seq) {
    welcomed_ = true;
    if (!ever_welcomed_) {
        ever_welcomed_ = true;
        shared_.counters.welcomed.fetch_add(1, std::memory_order_relaxed);
    }
    shared_.counters.live.fetch_add(1, std::memory_order_relaxed);
    // TLS 1.3 tickets arrive after the handshake; by the welcome they are here.
    if (link->secure) remember_session(link);
    if (shared_.reconnect) {
        welcomed_at_ = std::chrono::steady_clock::now();
        // What the buffer still holds, above what the hub says it has.
        std::uint64_t oldest = seq_ >= shared_.buffer ? seq_ - shared_.buffer + 1 : 1;
        std::uint64_t from = std::max(last_seq + 1, oldest);
        if (oldest > written_high_ + 1 && oldest > last_seq + 1)
            shared_.counters.unbuffered.fetch_add(oldest - std::max(written_high_, last_seq) - 1,
                                                  std::memory_order_relaxed);
        next_send_ = from;
        replay_upto_ = seq_;
        if (seq_ >= from) shared_.counters.replayed.fetch_add(seq_ - from + 1, std::memory_order_relaxed);
        auto epoch = shared_.epoch.load(std::memory_order_relaxed);
        if (welcomed_epoch_ != epoch) {
            welcomed_epoch_ = epoch;
            epoch_first_ = from;
            epoch_last_seq_ = last_seq;
            shared_.counters.epoch_welcomed.fetch_add(1, std::memory_order_relaxed);
        }
        pump();
    }
    settle();
}

void AgentConnection::remember_session(const LinkPtr& link) {
    // A copy, not SSL_get1_session's shared object: when the connection
    // later dies without a close_notify (a killed hub), OpenSSL marks the
    // connection's own session not resumable, and a shared one with it.
    SSL_SESSION* s = SSL_SESSION_dup(SSL_get0_session(link->ssl()));
    if (!s) return;
    if (session_) SSL_SESSION_free(session_);
    session_ = s;
}

void AgentConnection::send_sample() {
    if (!shared_.reconnect) return send_plain_tick();
    if (closing_ || !ever_welcomed_) return;
    ++seq_;
    shared_.counters.generated.fetch_add(1, std::memory_order_relaxed);
    pump();
}

// The measured path of plain and TLS runs: one sample per tick, never queued.
void AgentConnection::send_plain_tick() {
    if (!open_ || !welcomed_) return;
    if (writing_) {
        shared_.counters.blocked.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    ++seq_;
    const auto* factory = shared_.factory;
    if (frame_.empty() || (seq_ + index_) % shared_.refresh == 0) {
        if (!frame_.rebuild(factory->sample(index_, seq_))) {
            shared_.errors.note("the codec's sample text has no seq/ts_ms/cpu.total slots; cannot stamp frames");
            return;
        }
    }
    auto now_us = system_us();
    frame_.stamp(seq_, now_us / 1000, factory->cpu_total(index_, seq_));
    if (int slot = shared_.send_times->slot(index_); slot >= 0) shared_.send_times->record(slot, seq_, now_us);
    writing_ = true;
    shared_.counters.sent.fetch_add(1, std::memory_order_relaxed);
    shared_.counters.bytes_sent.fetch_add(frame_.text().size(), std::memory_order_relaxed);
    auto link = link_;
    link->ws([&](auto& ws) {
        ws.async_write(net::buffer(frame_.text()), [this, link](error_code ec, std::size_t) {
            if (link != link_) return;
            writing_ = false;
            if (ec && !closing_ && ec != net::error::operation_aborted) {
                shared_.counters.write_errors.fetch_add(1, std::memory_order_relaxed);
                shared_.errors.note("sample write: " + ec.message());
            }
        });
    });
}

void AgentConnection::answer(std::string_view command) {
    auto id = read_string(command, "id");
    auto op = read_string(command, "op");
    if (!id || !op) return shared_.errors.note("a command frame without a string id and op: " + std::string(command.substr(0, 200)));
    // The id and op are the hub's own short tokens (c-17, renice): no JSON escaping needed.
    replies_.push_back("{\"type\":\"reply\",\"id\":\"" + std::string(*id) + "\",\"ok\":true,\"result\":{\"op\":\"" +
                       std::string(*op) + "\",\"simulated\":true}}");
    pump();
}

void AgentConnection::pump() {
    if (!open_ || !welcomed_ || writing_ || closing_ || dropping_) return;
    if (!replies_.empty()) {
        out_ = std::move(replies_.front());
        replies_.pop_front();
        writing_ = true;
        auto link = link_;
        link->ws([&](auto& ws) {
            ws.async_write(net::buffer(out_), [this, link](error_code ec, std::size_t) {
                if (link != link_) return;
                writing_ = false;
                if (ec) return lost(link, ec, "reply write");
                shared_.counters.commands_answered.fetch_add(1, std::memory_order_relaxed);
                pump();
            });
        });
        return;
    }
    if (next_send_ > seq_) return;
    const std::uint64_t s = next_send_++;
    const auto* factory = shared_.factory;
    const bool backfill = s <= replay_upto_;
    const bool newest = s == seq_;
    if (frame_.empty() || (!backfill && (s + index_) % shared_.refresh == 0)) {
        if (!frame_.rebuild(factory->sample(index_, s))) {
            shared_.errors.note("the codec's sample text has no seq/ts_ms/cpu.total slots; cannot stamp frames");
            return;
        }
    }
    auto now_us = system_us();
    // A queued sample keeps the time it was made at (one interval per seq back).
    auto ts_ms = now_us / 1000 - std::int64_t(seq_ - s) * std::int64_t(shared_.interval_ms);
    frame_.stamp(s, ts_ms, factory->cpu_total(index_, s));
    const std::string* text = &frame_.text();
    if (backfill) {
        auto marked = agent::mark_backfill(frame_.text());
        if (!marked) return shared_.errors.note("cannot mark a replayed frame as backfill");
        out_ = std::move(*marked);
        text = &out_;
    } else if (newest) {
        if (int slot = shared_.send_times->slot(index_); slot >= 0) shared_.send_times->record(slot, s, now_us);
    }
    writing_ = true;
    shared_.counters.sent.fetch_add(1, std::memory_order_relaxed);
    shared_.counters.bytes_sent.fetch_add(text->size(), std::memory_order_relaxed);
    auto link = link_;
    link->ws([&](auto& ws) {
        ws.async_write(net::buffer(*text), [this, link, s](error_code ec, std::size_t) {
            if (link != link_) return;
            writing_ = false;
            if (ec) return lost(link, ec, "sample write");
            written_high_ = std::max(written_high_, s);
            pump();
        });
    });
}

void AgentConnection::lost(const LinkPtr& link, error_code ec, const char* what) {
    if (link != link_) return;
    const bool was_live = welcomed_;
    if (was_live) shared_.counters.live.fetch_sub(1, std::memory_order_relaxed);
    open_ = false;
    welcomed_ = false;
    writing_ = false;
    replies_.clear();  // the hub answered their commands 502 when the connection ended
    link_.reset();
    error_code ignored;
    link->tcp().socket().close(ignored);
    if (closing_ || (ec == net::error::operation_aborted && !dropping_)) return settle();
    if (!ever_welcomed_) return fail_connect(ec, what);
    if (was_live) {
        shared_.counters.disconnects.fetch_add(1, std::memory_order_relaxed);
        if (!shared_.reconnect) {
            std::string why = ec.message();
            if (ec == websocket::error::closed)
                link->ws([&](auto& ws) {
                    why = "closed by the hub with " + std::to_string(ws.reason().code) + " " +
                          std::string(ws.reason().reason.data(), ws.reason().reason.size());
                });
            shared_.errors.note("agent connection lost: " + why);
        }
    } else {
        shared_.counters.reconnect_failures.fetch_add(1, std::memory_order_relaxed);
        shared_.errors.note(std::string("reconnecting, ") + what + ": " + ec.message());
    }
    if (!shared_.reconnect) return;
    if (!backoff_) backoff_.emplace(agent::BackoffPolicy{}, std::uint64_t(shared_.instance_ms) * 7919 + index_);
    if (was_live && std::chrono::steady_clock::now() - welcomed_at_ >= stable_after) backoff_->reset();
    if (!retry_timer_) retry_timer_ = std::make_unique<net::steady_timer>(ioc_);
    retry_timer_->expires_after(backoff_->next());
    retry_timer_->async_wait([this](error_code ec) {
        if (ec || closing_) return;
        shared_.counters.reconnect_attempts.fetch_add(1, std::memory_order_relaxed);
        connect();
    });
}

bool AgentConnection::drop() {
    if (!shared_.reconnect || !welcomed_ || closing_ || dropping_) return false;
    dropping_ = true;
    shared_.counters.random_drops.fetch_add(1, std::memory_order_relaxed);
    // The pending read ends with websocket::error::closed once the hub
    // answers the close; lost() then reconnects with backoff and replays.
    auto link = link_;
    link->ws([&](auto& ws) {
        ws.async_close(websocket::close_code::normal, [this, link](error_code ec) {
            // The pending read may end first (operation_aborted or closed);
            // whichever comes first reconnects.
            if (link == link_) lost(link, ec ? ec : websocket::error::closed, "closing on purpose");
        });
    });
    return true;
}

void AgentConnection::close() {
    closing_ = true;
    if (welcomed_) shared_.counters.live.fetch_sub(1, std::memory_order_relaxed);
    open_ = false;
    welcomed_ = false;
    if (retry_timer_) retry_timer_->cancel();
    if (link_) {
        error_code ignored;
        link_->tcp().socket().close(ignored);
    }
}

AgentState AgentConnection::state() const {
    AgentState s;
    s.index = index_;
    s.newest = seq_;
    s.unsent = seq_ > written_high_ ? seq_ - written_high_ : 0;
    s.live = welcomed_;
    s.welcomed_in_epoch = welcomed_epoch_ == shared_.epoch.load(std::memory_order_relaxed);
    s.epoch_first = epoch_first_;
    s.epoch_last_seq = epoch_last_seq_;
    return s;
}

void AgentConnection::fail_connect(error_code ec, const char* what) {
    open_ = false;
    if (closing_ || failed_) return settle();
    failed_ = true;
    shared_.counters.connect_failures.fetch_add(1, std::memory_order_relaxed);
    shared_.errors.note(std::string(what) + ": " + ec.message());
    settle();
}

void AgentConnection::settle() {
    if (!settled_) return;
    auto done = std::move(settled_);
    settled_ = nullptr;
    done();
}

}  // namespace telehub::loadgen
