#include "tests/support/ws_client.hpp"

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace telehub::test {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

struct WsClient::Impl {
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    beast::flat_buffer buffer;
    bool reading = false;
    bool read_done = false;
    beast::error_code read_ec;
    bool closed = false;
    websocket::close_reason reason;

    // Runs handlers until `done` or the deadline.
    template <class Done>
    bool run_until(Done done, std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done()) {
            auto now = std::chrono::steady_clock::now();
            if (now >= deadline) return false;
            ioc.restart();
            ioc.run_one_for(deadline - now);
        }
        return true;
    }

    bool send(std::string_view data, bool text, std::chrono::milliseconds timeout) {
        if (closed) return false;
        bool done = false;
        beast::error_code ec;
        ws.text(text);
        ws.async_write(net::buffer(data.data(), data.size()), [&](beast::error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        if (!run_until([&] { return done; }, timeout)) {
            // The write cannot be abandoned while it references `data`: cut the connection.
            beast::get_lowest_layer(ws).close();
            run_until([&] { return done; }, std::chrono::seconds(1));
            closed = true;
            return false;
        }
        return !ec;
    }
};

WsClient::WsClient(std::uint16_t port, std::string target, std::chrono::milliseconds timeout,
                   const std::string& source_address)
    : impl_(std::make_unique<Impl>()) {
    auto& im = *impl_;
    im.ws.read_message_max(64 << 20);
    bool done = false;
    beast::error_code ec;
    if (!source_address.empty()) {
        auto& s = beast::get_lowest_layer(im.ws).socket();
        s.open(net::ip::tcp::v4(), ec);
        if (!ec) s.bind(net::ip::tcp::endpoint(net::ip::make_address(source_address), 0), ec);
        if (ec) throw std::runtime_error("WsClient: cannot bind to " + source_address + ": " + ec.message());
    }
    net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
    beast::get_lowest_layer(im.ws).async_connect(ep, [&](beast::error_code e) {
        ec = e;
        if (ec) {
            done = true;
            return;
        }
        im.ws.async_handshake("127.0.0.1:" + std::to_string(port), target, [&](beast::error_code e2) {
            ec = e2;
            done = true;
        });
    });
    if (!im.run_until([&] { return done; }, timeout))
        throw std::runtime_error("WsClient: connect/handshake to port " + std::to_string(port) + target + " timed out");
    if (ec) throw std::runtime_error("WsClient: connect/handshake to " + target + " failed: " + ec.message());
}

WsClient::~WsClient() {
    beast::error_code ec;
    beast::get_lowest_layer(impl_->ws).socket().close(ec);
}

bool WsClient::send_text(std::string_view text, std::chrono::milliseconds timeout) {
    return impl_->send(text, true, timeout);
}

bool WsClient::send_binary(std::string_view data, std::chrono::milliseconds timeout) {
    return impl_->send(data, false, timeout);
}

std::optional<std::string> WsClient::read(std::chrono::milliseconds timeout) {
    auto& im = *impl_;
    if (im.closed) return std::nullopt;
    if (!im.reading) {
        im.reading = true;
        im.read_done = false;
        im.buffer.clear();
        im.ws.async_read(im.buffer, [&im](beast::error_code ec, std::size_t) {
            im.read_ec = ec;
            im.read_done = true;
            im.reading = false;
        });
    }
    if (!im.run_until([&] { return im.read_done; }, timeout)) return std::nullopt;
    im.read_done = false;
    if (im.read_ec) {
        im.closed = true;
        im.reason = im.ws.reason();
        return std::nullopt;
    }
    return beast::buffers_to_string(im.buffer.data());
}

std::optional<std::uint16_t> WsClient::wait_close(std::chrono::milliseconds timeout, std::vector<std::string>* messages) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!impl_->closed) {
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return std::nullopt;
        auto m = read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
        if (m && messages) messages->push_back(std::move(*m));
    }
    return close_code();
}

bool WsClient::closed() const { return impl_->closed; }
std::uint16_t WsClient::close_code() const { return impl_->reason.code; }
std::string WsClient::close_reason() const { return std::string(impl_->reason.reason.c_str()); }

void WsClient::close(std::chrono::milliseconds timeout) {
    auto& im = *impl_;
    if (im.closed) return;
    bool done = false;
    im.ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
    im.run_until([&] { return done && !im.reading; }, timeout);
    im.closed = true;
}

void WsClient::drop() {
    beast::error_code ec;
    beast::get_lowest_layer(impl_->ws).socket().close(ec);
    impl_->closed = true;
}

}  // namespace telehub::test
