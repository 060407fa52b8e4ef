#include "tests/support/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace telehub::test {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

std::string HttpResult::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (beast::iequals(n, name)) return v;
    return {};
}

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        std::chrono::milliseconds timeout) {
    HttpOptions o;
    o.timeout = timeout;
    return http_request(port, method, target, o);
}

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const HttpOptions& options) {
    auto timeout = options.timeout;
    HttpResult out;
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [name, value] : options.headers) req.set(name, value);
    req.keep_alive(false);
    if (!options.body.empty()) {
        req.body() = options.body;
        req.prepare_payload();
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(method == "HEAD");
    if (!options.source_address.empty()) {
        beast::error_code ec;
        stream.socket().open(net::ip::tcp::v4(), ec);
        if (!ec) stream.socket().bind(net::ip::tcp::endpoint(net::ip::make_address(options.source_address), 0), ec);
        if (ec) return out;
    }
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
                for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
            });
        });
    });
    ioc.run();
    return out;
}

}  // namespace telehub::test
