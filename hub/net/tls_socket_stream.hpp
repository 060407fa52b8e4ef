// The hub's server-side TLS stream, in place of asio's ssl::stream.
//
// OpenSSL reads ciphertext through a BIO straight out of the one buffer the
// socket's reads fill, and writes ciphertext into one string the socket then
// sends. Against asio's engine that is one copy fewer per record (no BIO
// pair), one pass through OpenSSL per read instead of a loop of engine calls,
// and 17 KB of buffers per connection instead of 68 KB. It serves exactly what
// the hub needs: the server handshake (with bytes already read by TLS
// detection), reads, writes and a close_notify; renegotiation is off.
//
// Like a socket, one read and one write may be outstanding at once; every
// operation must run on the stream's executor (the connection's strand).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include "hub/ws/ws.hpp"

using SSL = struct ssl_st;

namespace telehub::hub {

namespace tls_core {

enum class Step { done, need_input, failed };

// The OpenSSL half: one SSL object and the two ciphertext buffers its BIO
// reads from and writes to. No I/O here; the stream's operations move the
// bytes between these buffers and the socket.
class Core {
public:
    Core(SSL_CTX* ctx, const void* already_read, std::size_t size);
    ~Core();
    Core(const Core&) = delete;
    Core& operator=(const Core&) = delete;

    Step handshake(boost::system::error_code& ec);
    Step read(void* data, std::size_t size, std::size_t& got, boost::system::error_code& ec);
    Step write(const void* data, std::size_t size, std::size_t& put, boost::system::error_code& ec);
    Step shutdown(boost::system::error_code& ec);

    // Ciphertext from the socket.
    boost::asio::mutable_buffer input_space();
    void commit_input(std::size_t n) { in_end_ += n; }
    void input_ended() { in_eof_ = true; }
    bool input_ended_already() const { return in_eof_; }

    // Ciphertext to the socket: one flush at a time, in order.
    bool has_output() const { return !out_.empty(); }
    bool flushing() const { return flushing_; }
    boost::asio::const_buffer begin_flush();
    void end_flush();

    // For writes of several buffers, so one record carries them all.
    std::string& staging() { return staging_; }

    SSL* native_handle() const { return ssl_; }

    // The BIO's side.
    std::size_t take_input(char* data, std::size_t size);
    void append_output(const char* data, std::size_t size) { out_.append(data, size); }
    std::size_t input_pending() const { return in_end_ - in_begin_; }

private:
    Step failed(int ret, boost::system::error_code& ec);

    SSL* ssl_ = nullptr;
    std::unique_ptr<char[]> in_;
    std::size_t in_begin_ = 0;
    std::size_t in_end_ = 0;
    bool in_eof_ = false;
    std::string out_;
    std::string sending_;
    bool flushing_ = false;
    std::string staging_;
};

}  // namespace tls_core

class TlsSocketStream {
public:
    using executor_type = boost::beast::tcp_stream::executor_type;
    using next_layer_type = boost::beast::tcp_stream;

    // `already_read`: bytes TLS detection took off the socket (the start of
    // the ClientHello); the handshake reads them first.
    TlsSocketStream(boost::beast::tcp_stream&& stream, boost::asio::ssl::context& ctx,
                    boost::asio::const_buffer already_read);
    TlsSocketStream(TlsSocketStream&&) noexcept = default;
    TlsSocketStream& operator=(TlsSocketStream&&) noexcept = default;

    executor_type get_executor() noexcept { return stream_.get_executor(); }
    next_layer_type& next_layer() noexcept { return stream_; }
    SSL* native_handle() const { return core_->native_handle(); }

    // From now on ciphertext is read from the socket itself, one receive
    // call per read (hub/ws/drained_read.hpp), past the tcp_stream's timeout
    // bookkeeping: for a connection that no timeout is armed on again (an
    // agent's, after the upgrade).
    void read_untimed() { reactor_ = &ws::prepare_drained_reads(stream_.socket()); }

    template <class Handler>
    auto async_handshake(Handler&& handler) {  // void(error_code)
        return start<boost::beast::error_code>(Handshake{}, std::forward<Handler>(handler));
    }

    template <class MutableBuffers, class Handler>
    auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {  // void(error_code, size_t)
        return start<boost::beast::error_code, std::size_t>(Read{first_of(buffers)}, std::forward<Handler>(handler));
    }

    template <class ConstBuffers, class Handler>
    auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {  // void(error_code, size_t)
        return start<boost::beast::error_code, std::size_t>(Write{flatten(buffers)},
                                                            std::forward<Handler>(handler));
    }

    // Sends close_notify; does not wait for the peer's.
    template <class Handler>
    auto async_shutdown(Handler&& handler) {  // void(error_code)
        return start<boost::beast::error_code>(Shutdown{}, std::forward<Handler>(handler));
    }

private:
    using Step = tls_core::Step;
    using Core = tls_core::Core;

    struct Handshake {
        Step operator()(Core& c, boost::system::error_code& ec, std::size_t&) const { return c.handshake(ec); }
    };
    struct Read {
        boost::asio::mutable_buffer buffer;
        Step operator()(Core& c, boost::system::error_code& ec, std::size_t& n) const {
            return c.read(buffer.data(), buffer.size(), n, ec);
        }
    };
    struct Write {
        boost::asio::const_buffer buffer;
        Step operator()(Core& c, boost::system::error_code& ec, std::size_t& n) const {
            return c.write(buffer.data(), buffer.size(), n, ec);
        }
    };
    struct Shutdown {
        Step operator()(Core& c, boost::system::error_code& ec, std::size_t&) const { return c.shutdown(ec); }
    };

    // One operation: run the OpenSSL step, send what it wrote, read when it
    // needs input, and again until it is done or fails.
    template <class Action, class... Result>
    class Op {
    public:
        Op(TlsSocketStream& s, Action action) : s_(s), action_(action) {}

        template <class Self>
        void operator()(Self& self, boost::beast::error_code ec = {}, std::size_t bytes = 0) {
            Core& core = *s_.core_;
            for (;;) {
                switch (state_) {
                case State::run:
                    step_ = action_(core, result_, n_);
                    state_ = State::after_step;
                    break;
                case State::after_step:
                    if (core.has_output() && !core.flushing()) {
                        state_ = State::flushed;
                        async_ = true;
                        return boost::asio::async_write(s_.stream_, core.begin_flush(), std::move(self));
                    }
                    if (step_ == Step::need_input) {
                        if (core.input_ended_already()) return finish(self, boost::asio::ssl::error::stream_truncated);
                        state_ = State::read_done;
                        async_ = true;
                        if (s_.reactor_)
                            return ws::async_read_drained(s_.stream_.socket(), *s_.reactor_, core.input_space(),
                                                          std::move(self));
                        return s_.stream_.async_read_some(core.input_space(), std::move(self));
                    }
                    return finish(self, result_);
                case State::flushed:
                    core.end_flush();
                    if (ec) return finish(self, ec);
                    state_ = State::after_step;
                    break;
                case State::read_done:
                    if (ec == boost::asio::error::eof) core.input_ended();
                    else if (ec) return finish(self, ec);
                    else core.commit_input(bytes);
                    state_ = State::run;
                    break;
                case State::posted:
                    return complete(self);
                }
            }
        }

    private:
        enum class State { run, after_step, flushed, read_done, posted };

        template <class Self>
        void finish(Self& self, boost::beast::error_code ec) {
            result_ = ec;
            if (ec) n_ = 0;
            if (async_) return complete(self);
            // Never call the handler from inside the initiating function.
            state_ = State::posted;
            boost::asio::post(s_.stream_.get_executor(), std::move(self));
        }

        template <class Self>
        void complete(Self& self) {
            if constexpr (sizeof...(Result) == 2) self.complete(result_, n_);
            else self.complete(result_);
        }

        TlsSocketStream& s_;
        Action action_;
        State state_ = State::run;
        Step step_ = Step::failed;
        boost::beast::error_code result_;
        std::size_t n_ = 0;
        bool async_ = false;
    };

    template <class... Result, class Action, class Handler>
    auto start(Action action, Handler&& handler) {
        return boost::asio::async_compose<Handler, void(Result...)>(Op<Action, Result...>(*this, action), handler,
                                                                    stream_);
    }

    template <class MutableBuffers>
    static boost::asio::mutable_buffer first_of(const MutableBuffers& buffers) {
        for (boost::asio::mutable_buffer b : boost::beast::buffers_range_ref(buffers))
            if (b.size() != 0) return b;
        return {};
    }

    // A write of several buffers (a WebSocket header and its payload) goes
    // out as one record: copied together when small, else the first buffer.
    template <class ConstBuffers>
    boost::asio::const_buffer flatten(const ConstBuffers& buffers) {
        std::size_t count = 0;
        std::size_t total = 0;
        boost::asio::const_buffer first;
        for (boost::asio::const_buffer b : boost::beast::buffers_range_ref(buffers)) {
            if (b.size() == 0) continue;
            if (count++ == 0) first = b;
            total += b.size();
        }
        if (count <= 1 || total > flatten_limit) return first;
        std::string& s = core_->staging();
        s.clear();
        for (boost::asio::const_buffer b : boost::beast::buffers_range_ref(buffers))
            s.append(static_cast<const char*>(b.data()), b.size());
        return boost::asio::buffer(s);
    }

    static constexpr std::size_t flatten_limit = 16 * 1024;

    boost::beast::tcp_stream stream_;
    std::unique_ptr<Core> core_;
    boost::asio::detail::reactor* reactor_ = nullptr;  // set by read_untimed
};

// WebSocket close over TLS: close_notify, then the TCP teardown Beast does
// for a plain socket.
template <class Handler>
void async_teardown(boost::beast::role_type role, TlsSocketStream& stream, Handler&& handler) {
    auto ex = boost::asio::get_associated_executor(handler, stream.get_executor());
    stream.async_shutdown(boost::asio::bind_executor(
        ex, [role, &stream, h = std::forward<Handler>(handler)](boost::beast::error_code) mutable {
            boost::beast::websocket::async_teardown(role, stream.next_layer().socket(), std::move(h));
        }));
}

}  // namespace telehub::hub
