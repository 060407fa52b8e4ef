// A server WebSocket over a plain or TLS stream that reads frames itself
// (ws_frame.hpp) instead of through Beast's websocket::stream (issue #22).
// Beast reads a frame's header into a 1.5 KB staging buffer, the rest of the
// payload in a second read, and then tries a third that finds the socket
// empty: three system calls per agent sample. Here one read asks for more
// than a sample, so a whole frame usually arrives at once, and that read,
// when the kernel says it left nothing queued, tells Asio the socket is
// drained (drained_read.hpp): one system call per sample where Asio's own
// read would try the next read at once and find the socket empty (EAGAIN).
// A plain connection's read lands in a buffer its io thread lends once the
// socket is ready (read_scratch.hpp), not one of its own: only bytes left
// over after the whole frames in it (a frame cut by the read) are kept, in
// the connection's buffer, where the next read goes. Frames are unmasked and
// handed over in place; only fragmented messages are copied.
//
// The owner (an agent session, which holds this as a member) gets:
//   on_ws_open()                           the 101 is written; frames follow
//   ws_accepts_size(total)                 may a message of this many bytes be read? When not,
//                                          the owner has already queued its refusal and close
//   on_ws_message(payload, binary)         a whole message
//   on_ws_bytes_read(n)                    for the hub's byte counter
//   on_ws_end(reason)                      why the connection is ending (first reason wins)
// and must be a std::enable_shared_from_this: pending operations keep it alive.
//
// Closing follows RFC 6455 7.1: the close frame goes after the messages
// already queued, then the hub half-closes its side (after close_notify, over
// TLS) and reads, discarding, until the peer closes; a peer that does not
// within close_timeout is cut off. Everything runs on the stream's executor.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <type_traits>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/write.hpp>

#include "hub/ws/drained_read.hpp"
#include "hub/ws/read_scratch.hpp"
#include "hub/ws/ws_frame.hpp"
#include "hub/ws/ws_upgrade.hpp"

namespace telehub::hub {

template <class Stream, class Owner>
class WsServerStream {
public:
    WsServerStream(Stream&& stream, Owner& owner)
        : stream_(std::move(stream)), owner_(owner) {
        // No timeout is armed on an agent's stream, so reads may go past the tcp_stream.
        if constexpr (layered) stream_.read_untimed();
        else reactor_ = &ws::prepare_drained_reads(lowest().socket());
    }

    auto get_executor() { return stream_.get_executor(); }
    bool open() const { return accepted_ && !close_queued_; }
    bool accepted() const { return accepted_; }

    void accept(ws::UpgradeRequest req) {
        if (auto refusal = ws::check_upgrade(req)) {
            owner_.on_ws_end("handshake: " + std::string(refusal->body(), 0, refusal->body().size() - 1));
            using Refusal = std::decay_t<decltype(*refusal)>;
            auto res = std::make_shared<Refusal>(std::move(*refusal));
            return boost::beast::http::async_write(
                stream_, *res, [self = owner_.shared_from_this(), res, this](boost::beast::error_code, std::size_t) {
                    boost::beast::error_code ignored;
                    lowest().socket().shutdown(boost::asio::socket_base::shutdown_send, ignored);
                });
        }
        auto res = std::make_shared<boost::beast::http::response<boost::beast::http::empty_body>>(
            ws::switching_protocols(req));
        boost::beast::http::async_write(
            stream_, *res, [self = owner_.shared_from_this(), res, this](boost::beast::error_code ec, std::size_t) {
                if (ec) return owner_.on_ws_end("handshake: " + ec.message());
                accepted_ = true;
                owner_.on_ws_open();
                read();
            });
    }

    // A text message to the peer; dropped once the close is queued.
    void send_text(std::string payload) { queue(ws::Opcode::text, std::move(payload)); }

    // Queues the close frame after the messages already queued.
    void close(std::uint16_t code, std::string_view reason) {
        if (!accepted_ || close_queued_) return;
        queue(ws::Opcode::close, ws::close_payload(code, reason));
        close_queued_ = true;
        start_close_timer();
    }

    // Ends a connection that is not open yet (the hub is shutting down).
    void cancel() {
        boost::beast::error_code ignored;
        lowest().socket().cancel(ignored);
    }

    static constexpr auto close_timeout = std::chrono::seconds(5);

private:
    // A stream over another (TLS over TCP) is read and written through
    // itself and sends its own goodbye (close_notify) before the TCP half-close.
    static constexpr bool layered = requires { typename Stream::next_layer_type; };

    struct Outgoing {
        ws::Opcode opcode;
        std::array<char, 10> header;
        std::size_t header_size;
        std::string payload;
    };

    // 8 KiB holds a typical 3-4 KB sample with room to spare, so its read
    // comes back short (see above); a larger frame's read is sized from its header.
    static constexpr std::size_t read_chunk = ws::ReadScratch::size;

    // Bytes read into a lent buffer, parsed where they lie.
    struct LentBytes {
        char* begin;
        std::size_t count;
        boost::asio::mutable_buffer data() const { return {begin, count}; }
        std::size_t size() const { return count; }
        void consume(std::size_t n) {
            n = std::min(n, count);
            begin += n;
            count -= n;
        }
    };

    // drained_read's ReadTarget for a plain stream: chosen when the socket is ready.
    struct ReadTarget {
        WsServerStream* self;
        boost::asio::mutable_buffer begin_read() const { return self->begin_read(); }
        void abandon_read() const { self->abandon_read(); }
    };

    auto& lowest() { return boost::beast::get_lowest_layer(stream_); }

    // Plain reads and writes go to the socket itself: the tcp_stream's
    // timeout bookkeeping (never armed for agents) costs per operation.
    auto& io_layer() {
        if constexpr (layered) return stream_;
        else return lowest().socket();
    }

    std::size_t read_size() const {
        const std::size_t room = in_.size() < read_chunk ? read_chunk - in_.size() : 0;
        return std::max({room, want_ + 512, std::size_t{1024}});
    }

    void read() {
        auto done = [self = owner_.shared_from_this(), this](boost::beast::error_code ec, std::size_t n) {
            on_read(ec, n);
        };
        if constexpr (layered) stream_.async_read_some(in_.prepare(read_size()), std::move(done));
        else ws::async_read_drained(lowest().socket(), *reactor_, ReadTarget{this}, std::move(done));
    }

    // Nothing else touches in_ or lent_ while a read is pending.
    boost::asio::mutable_buffer begin_read() {
        if (in_.size() > 0) return in_.prepare(read_size());
        if (!lent_) lent_ = ws::ReadScratch::lease();
        return {lent_.get(), ws::ReadScratch::size};
    }

    void abandon_read() {
        if (lent_) ws::ReadScratch::give_back(std::move(lent_));
    }

    void on_read(boost::beast::error_code ec, std::size_t n) {
        // A failed read brought no bytes, so drained_read has already given back any lent buffer.
        if (ec) return end(ec == boost::asio::error::eof ? "peer closed the connection" : "read: " + ec.message());
        owner_.on_ws_bytes_read(n);
        if (lent_) {
            LentBytes bytes{lent_.get(), n};
            if (!peer_closed_) parse(bytes);
            if (!peer_closed_ && bytes.size() > 0) {  // a frame the read cut: the next read goes after it
                std::memcpy(in_.prepare(bytes.size()).data(), bytes.begin, bytes.size());
                in_.commit(bytes.size());
            }
            abandon_read();
        } else {
            in_.commit(n);
            if (!peer_closed_) parse(in_);
        }
        if (peer_closed_) in_.consume(in_.size());  // nothing after a close, or a broken frame, is read
        // A plain stream's buffer is only for a cut frame: freed once empty.
        // A large reply (a busy host's sockets report, megabytes) would
        // otherwise keep its capacity for the life of the connection.
        if (in_.size() == 0 && (!layered || in_.capacity() > 8 * read_chunk)) in_.shrink_to_fit();
        if (!ended_) read();
    }

    // `in` is in_ or the lent buffer's bytes: whole frames are taken from its front.
    template <class Bytes>
    void parse(Bytes& in) {
        for (;;) {
            if (discard_ > 0) {
                const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(discard_, in.size()));
                in.consume(n);
                discard_ -= n;
                if (discard_ > 0) return;
            }
            const auto data = in.data();
            const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
            const auto h = ws::parse_client_header(bytes);
            want_ = 0;
            if (h.status == ws::HeaderStatus::need_more) return;
            if (h.status == ws::HeaderStatus::invalid) return protocol_error(h.error);
            const auto& fh = h.header;
            if (!ws::is_control(fh.opcode)) {
                if (close_queued_) {  // nothing more is read from a closing connection
                    discard_ = fh.header_size + fh.payload_size;
                    continue;
                }
                if (fh.opcode == ws::Opcode::continuation && !in_message_)
                    return protocol_error("continuation frame outside a message");
                if (fh.opcode != ws::Opcode::continuation && in_message_)
                    return protocol_error("new message before the previous one ended");
                if (!owner_.ws_accepts_size((in_message_ ? message_.size() : 0) + fh.payload_size)) {
                    discard_ = fh.header_size + fh.payload_size;
                    in_message_ = false;
                    message_.clear();
                    message_.shrink_to_fit();
                    continue;
                }
            }
            const std::uint64_t frame_size = fh.header_size + fh.payload_size;
            if (bytes.size() < frame_size) {
                want_ = static_cast<std::size_t>(frame_size - bytes.size());
                return;
            }
            char* payload = static_cast<char*>(data.data()) + fh.header_size;
            ws::unmask(payload, fh.payload_size, fh.mask);
            const bool go_on = on_frame(fh, std::string_view(payload, fh.payload_size));
            in.consume(frame_size);
            if (!go_on) return;
        }
    }

    // False when nothing more is to be parsed.
    bool on_frame(const ws::FrameHeader& fh, std::string_view payload) {
        switch (fh.opcode) {
        case ws::Opcode::ping:
            queue(ws::Opcode::pong, std::string(payload));
            return true;
        case ws::Opcode::pong: return true;
        case ws::Opcode::close: {
            const auto c = ws::parse_close_payload(payload);
            peer_closed_ = true;
            if (!c.valid) {
                protocol_error("close frame with an invalid code");
                return false;
            }
            owner_.on_ws_end("peer closed with " + std::to_string(c.code));
            close(c.code == 1005 ? ws::close_code::normal : c.code, {});
            return false;
        }
        default: break;
        }
        if (fh.fin && !in_message_) {
            owner_.on_ws_message(payload, fh.opcode == ws::Opcode::binary);
            return true;
        }
        if (!in_message_) {
            in_message_ = true;
            message_binary_ = fh.opcode == ws::Opcode::binary;
        }
        message_.append(payload);
        if (!fh.fin) return true;
        in_message_ = false;
        owner_.on_ws_message(message_, message_binary_);
        message_.clear();
        if (message_.capacity() > 8 * read_chunk) message_.shrink_to_fit();
        return true;
    }

    // What is left unparsed is dropped by on_read.
    void protocol_error(const char* what) {
        owner_.on_ws_end(std::string("protocol error: ") + what);
        discard_ = 0;
        peer_closed_ = true;  // nothing after a broken frame can be parsed
        close(ws::close_code::protocol_error, what);
    }

    void queue(ws::Opcode opcode, std::string payload) {
        if (!accepted_ || close_queued_) return;
        Outgoing out{opcode, {}, 0, std::move(payload)};
        out.header_size = ws::server_header(opcode, out.payload.size(), out.header);
        outbox_.push_back(std::move(out));
        write_next();
    }

    void write_next() {
        if (writing_ || outbox_.empty()) return;
        writing_ = true;
        const Outgoing& out = outbox_.front();
        std::array<boost::asio::const_buffer, 2> buffers{boost::asio::buffer(out.header.data(), out.header_size),
                                                          boost::asio::buffer(out.payload)};
        boost::asio::async_write(io_layer(), buffers, [self = owner_.shared_from_this(), this](
                                                          boost::beast::error_code ec, std::size_t) {
            writing_ = false;
            if (ec) return end("write: " + ec.message());
            const bool was_close = outbox_.front().opcode == ws::Opcode::close;
            outbox_.pop_front();
            if (was_close) {
                return half_close();
            }
            write_next();
        });
    }

    // After our close frame: no more bytes from the hub. The reader goes on
    // until the peer closes its side too.
    void half_close() {
        if (half_closed_) return;
        half_closed_ = true;
        if constexpr (layered) {
            stream_.async_shutdown([self = owner_.shared_from_this(), this](boost::beast::error_code) {
                boost::beast::error_code ignored;
                lowest().socket().shutdown(boost::asio::socket_base::shutdown_send, ignored);
            });
        } else {
            boost::beast::error_code ignored;
            lowest().socket().shutdown(boost::asio::socket_base::shutdown_send, ignored);
        }
    }

    void start_close_timer() {
        close_timer_.emplace(stream_.get_executor());
        close_timer_->expires_after(close_timeout);
        close_timer_->async_wait([self = owner_.shared_from_this(), this](boost::beast::error_code ec) {
            if (ec || ended_) return;
            owner_.on_ws_end("the peer did not close within " + std::to_string(close_timeout.count()) + " s");
            boost::beast::error_code ignored;
            lowest().socket().close(ignored);
        });
    }

    void end(std::string reason) {
        if (ended_) return;
        ended_ = true;
        owner_.on_ws_end(std::move(reason));
        if (close_timer_) close_timer_->cancel();
        boost::beast::error_code ignored;
        lowest().socket().close(ignored);
    }

    Stream stream_;
    Owner& owner_;
    boost::asio::detail::reactor* reactor_ = nullptr;  // plain streams: the socket's
    boost::beast::flat_buffer in_;  // bytes read and not parsed yet
    ws::ReadScratch::Buffer lent_;  // plain streams: the thread's buffer this read went to
    std::size_t want_ = 0;          // bytes still to come of the frame at the front of in_
    std::uint64_t discard_ = 0;     // bytes of a refused or ignored frame still to skip
    std::string message_;           // a fragmented message so far
    bool in_message_ = false;
    bool message_binary_ = false;
    std::deque<Outgoing> outbox_;
    bool writing_ = false;
    bool accepted_ = false;
    bool close_queued_ = false;
    bool half_closed_ = false;
    bool peer_closed_ = false;
    bool ended_ = false;
    std::optional<boost::asio::steady_timer> close_timer_;
};

}  // namespace telehub::hub
