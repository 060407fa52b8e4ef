#include "loadgen/http_get.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace telehub::loadgen {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

HttpResult http_get(const net::ip::tcp::endpoint& hub, const std::string& target, std::chrono::milliseconds timeout) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    http::request<http::empty_body> req(http::verb::get, target, 11);
    req.set(http::field::host, hub.address().to_string() + ":" + std::to_string(hub.port()));
    req.keep_alive(false);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    HttpResult out;
    auto fail = [&out](beast::error_code ec, const char* what) { out.error = std::string(what) + ": " + ec.message(); };

    stream.expires_after(timeout);
    stream.async_connect(hub, [&](beast::error_code ec) {
        if (ec) return fail(ec, "connect");
        http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
            if (ec) return fail(ec, "write");
            http::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
                if (ec) return fail(ec, "read");
                out.status = int(parser.get().result_int());
                out.body = std::move(parser.get().body());
            });
        });
    });
    ioc.run();  // the stream's expiry bounds it
    if (out.status == 0 && out.error.empty()) out.error = "no response";
    return out;
}

}  // namespace telehub::loadgen
