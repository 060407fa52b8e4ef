#include "loadgen/agent_connection.hpp"

#include <chrono>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket.hpp>

#include "loadgen/live_frame.hpp"
#include "telehub/codec.hpp"

namespace telehub::loadgen {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {

constexpr auto connect_timeout = std::chrono::seconds(10);

std::int64_t system_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

AgentConnection::AgentConnection(net::io_context& ioc, FleetShared& shared, std::size_t index)
    : ws_(ioc), shared_(shared), index_(index) {}

void AgentConnection::start(std::function<void()> settled) {
    settled_ = std::move(settled);
    shared_.counters.connects_started.fetch_add(1, std::memory_order_relaxed);
    beast::get_lowest_layer(ws_).expires_after(connect_timeout);
    beast::get_lowest_layer(ws_).async_connect(
        shared_.hub, beast::bind_front_handler(&AgentConnection::on_connect, shared_from_this()));
}

void AgentConnection::on_connect(beast::error_code ec) {
    if (ec) return fail_connect(ec, "connect");
    beast::get_lowest_layer(ws_).socket().set_option(net::ip::tcp::no_delay(true), ec);
    // The stream's own timer now only guards the handshake; afterwards the
    // WebSocket layer's timeouts apply.
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.secure_prng(false);  // the mask needs no cryptographic strength on loopback
    ws_.auto_fragment(false);
    ws_.write_buffer_bytes(16 * 1024);
    auto host = shared_.hub.address().to_string() + ":" + std::to_string(shared_.hub.port());
    ws_.async_handshake(host, "/ws/agent",
                        beast::bind_front_handler(&AgentConnection::on_handshake, shared_from_this()));
}

void AgentConnection::on_handshake(beast::error_code ec) {
    if (ec) return fail_connect(ec, "WebSocket handshake on /ws/agent");
    beast::get_lowest_layer(ws_).expires_never();
    open_ = true;
    ws_.text(true);
    hello_ = encode_hello(shared_.factory->hello(index_, shared_.instance_ms));
    writing_ = true;
    ws_.async_write(net::buffer(hello_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->writing_ = false;
        if (ec) return self->fail_connect(ec, "sending the hello");
        self->shared_.counters.connected.fetch_add(1, std::memory_order_relaxed);
    });
    do_read();
}

void AgentConnection::do_read() {
    ws_.async_read(read_buffer_, beast::bind_front_handler(&AgentConnection::on_read, shared_from_this()));
}

void AgentConnection::on_read(beast::error_code ec, std::size_t) {
    if (ec) {
        open_ = false;
        if (closing_ || ec == net::error::operation_aborted) return;
        if (!welcomed_) return fail_connect(ec, "waiting for the welcome");
        std::string why = ec.message();
        if (ec == websocket::error::closed)
            why = "closed by the hub with " + std::to_string(ws_.reason().code) + " " + std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
        shared_.counters.disconnects.fetch_add(1, std::memory_order_relaxed);
        shared_.errors.note("agent connection lost: " + why);
        return;
    }
    auto data = read_buffer_.cdata();
    std::string_view text(static_cast<const char*>(data.data()), data.size());
    switch (classify_live_frame(text)) {
    case LiveFrameKind::welcome:
        if (!welcomed_) {
            welcomed_ = true;
            shared_.counters.welcomed.fetch_add(1, std::memory_order_relaxed);
            settle();
        }
        break;
    case LiveFrameKind::error:
        shared_.counters.error_frames.fetch_add(1, std::memory_order_relaxed);
        shared_.errors.note("hub error frame: " + std::string(text.substr(0, 200)));
        break;
    default:
        break;
    }
    read_buffer_.clear();
    do_read();
}

void AgentConnection::send_sample() {
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
    ws_.async_write(net::buffer(frame_.text()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->writing_ = false;
        if (ec && !self->closing_ && ec != net::error::operation_aborted) {
            self->shared_.counters.write_errors.fetch_add(1, std::memory_order_relaxed);
            self->shared_.errors.note("sample write: " + ec.message());
        }
    });
}

void AgentConnection::close() {
    closing_ = true;
    open_ = false;
    beast::get_lowest_layer(ws_).close();
}

void AgentConnection::fail_connect(beast::error_code ec, const char* what) {
    open_ = false;
    if (closing_ || failed_) return settle();
    failed_ = true;
    if (!welcomed_) {
        shared_.counters.connect_failures.fetch_add(1, std::memory_order_relaxed);
        shared_.errors.note(std::string(what) + ": " + ec.message());
    }
    settle();
}

void AgentConnection::settle() {
    if (!settled_) return;
    auto done = std::move(settled_);
    settled_ = nullptr;
    done();
}

}  // namespace telehub::loadgen
