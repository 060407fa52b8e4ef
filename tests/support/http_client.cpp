#include "tests/support/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace telehub::test {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        std::chrono::milliseconds timeout) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    beast::flat_buffer buffer;
    http::request<http::empty_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    req.keep_alive(false);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(method == "HEAD");
    HttpResult out;
    stream.expires_after(timeout);
    stream.async_connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
        if (ec) return;
        http::async_write(stream, req, [&](beast::error_code ec2, std::size_t) {
            if (ec2) return;
            http::async_read(stream, buffer, parser, [&](beast::error_code ec3, std::size_t) {
                if (ec3) return;
                auto& res = parser.get();
                out.status = res.result_int();
                out.body = res.body();
                out.content_type = std::string(res[http::field::content_type]);
                out.allow = std::string(res[http::field::allow]);
            });
        });
    });
    ioc.run();
    return out;
}

}  // namespace telehub::test
