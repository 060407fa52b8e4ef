#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "hub/notify/senders.hpp"

namespace telehub::hub {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

/* the answer's body is read only for the error message; a receiver cannot make the hub hold more */
constexpr std::size_t max_answer_bytes = 64 * 1024;
constexpr std::size_t error_body_chars = 200;

std::string failure(std::string_view step, const beast::error_code& ec) {
    return std::string(step) + ": " + ec.message();
}

template <class Stream>
net::awaitable<std::string> exchange(Stream& stream, const HttpUrl& url, std::string body, const HeaderList& headers) {
    http::request<http::string_body> req{http::verb::post, url.target, 11};
    const bool default_port = url.port == (url.tls ? 443 : 80);
    const std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    req.set(http::field::host, default_port ? host : host + ":" + std::to_string(url.port));
    req.set(http::field::user_agent, "telehub");
    req.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = std::move(body);
    req.keep_alive(false);
    req.prepare_payload();
    beast::error_code ec;
    co_await http::async_write(stream, req, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return failure("sending", ec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_answer_bytes);
    co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return failure("reading the answer", ec);
    const auto& res = parser.get();
    if (res.result_int() >= 200 && res.result_int() < 300) co_return std::string();
    std::string text = res.body().substr(0, error_body_chars);
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    co_return "answered " + std::to_string(res.result_int()) + (text.empty() ? "" : ": " + text);
}

}  // namespace

std::unique_ptr<net::ssl::context> make_client_tls(const std::string& ca_file) {
    auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_client);
    beast::error_code ec;
    if (ca_file.empty()) ctx->set_default_verify_paths(ec);
    else ctx->load_verify_file(ca_file, ec);
    if (ec) throw std::runtime_error("cannot load trusted certificates" + (ca_file.empty() ? "" : " from " + ca_file) + ": " + ec.message());
    ctx->set_verify_mode(net::ssl::verify_peer);
    return ctx;
}

net::awaitable<std::string> http_post(const HttpUrl& url, net::ssl::context* tls, std::string body, HeaderList headers,
                                      std::chrono::milliseconds timeout) {
    auto ex = co_await net::this_coro::executor;
    beast::error_code ec;
    net::ip::tcp::resolver resolver(ex);
    // The resolver has no deadline of its own; getaddrinfo of a name in /etc/hosts or a literal is quick.
    auto found = co_await resolver.async_resolve(url.host, std::to_string(url.port), net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return failure("resolving " + url.host, ec);
    if (!url.tls) {
        beast::tcp_stream stream(ex);
        stream.expires_after(timeout);
        co_await stream.async_connect(found, net::redirect_error(net::use_awaitable, ec));
        if (ec) co_return failure("connecting to " + url.host + ":" + std::to_string(url.port), ec);
        co_return co_await exchange(stream, url, std::move(body), headers);
    }
    beast::ssl_stream<beast::tcp_stream> stream(ex, *tls);
    beast::get_lowest_layer(stream).expires_after(timeout);
    // SNI for a name (not an address literal), and the certificate must be for that host.
    beast::error_code literal;
    net::ip::make_address(url.host, literal);
    if (literal && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str()))
        co_return std::string("cannot set the TLS server name");
    stream.set_verify_callback(net::ssl::host_name_verification(url.host));
    co_await beast::get_lowest_layer(stream).async_connect(found, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return failure("connecting to " + url.host + ":" + std::to_string(url.port), ec);
    co_await stream.async_handshake(net::ssl::stream_base::client, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return failure("TLS handshake with " + url.host, ec);
    std::string result = co_await exchange(stream, url, std::move(body), headers);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
    co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));  // close_notify; its outcome changes nothing
    co_return result;
}

}  // namespace telehub::hub
