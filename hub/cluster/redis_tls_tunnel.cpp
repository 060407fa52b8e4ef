#include "hub/cluster/redis_tls_tunnel.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>
#include <unistd.h>

namespace telehub::hub {
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_redis_tls_context(const RedisTlsFiles& files) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                     ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (files.ca.empty()) {
        ctx->set_default_verify_paths(ec);
        if (ec) throw std::runtime_error("cannot load the system's trusted CAs for rediss://: " + ec.message());
    } else {
        ctx->load_verify_file(files.ca, ec);
        if (ec) throw std::runtime_error("cannot use '" + files.ca + "' (--cluster-ca): " + ec.message());
    }
    if (!files.cert.empty()) {
        ctx->use_certificate_chain_file(files.cert, ec);
        if (ec) throw std::runtime_error("cannot use '" + files.cert + "' (--cluster-cert): " + ec.message());
        ctx->use_private_key_file(files.key, ssl::context::pem, ec);
        if (ec) throw std::runtime_error("cannot use '" + files.key + "' (--cluster-key): " + ec.message());
    }
    ctx->set_verify_mode(ssl::verify_peer);
    return ctx;
}

RedisTlsTunnel::RedisTlsTunnel(net::io_context& ioc, ssl::context& tls, RedisUrl url)
    : ioc_(ioc), url_(std::move(url)), resolver_(ioc), redis_(ioc, tls), acceptor_(ioc), hiredis_(ioc) {}

RedisTlsTunnel::~RedisTlsTunnel() { remove_socket(); }

void RedisTlsTunnel::remove_socket() {
    if (dir_.empty()) return;
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
    dir_.clear();
}

void RedisTlsTunnel::open(Ready ready) {
    ready_ = std::move(ready);
    // The name the certificate must carry, and SNI for a name (not an address).
    redis_.set_verify_callback(ssl::host_name_verification(url_.host));
    boost::system::error_code ec;
    net::ip::make_address(url_.host, ec);
    if (ec) SSL_set_tlsext_host_name(redis_.native_handle(), url_.host.c_str());
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [self = shared_from_this()](boost::system::error_code ec, net::ip::tcp::resolver::results_type r) {
        if (ec) return self->fail("cannot resolve " + self->url_.host + ": " + ec.message());
        net::async_connect(self->redis_.next_layer(), r, [self](boost::system::error_code ec, const net::ip::tcp::endpoint&) {
            if (ec) return self->fail("cannot connect: " + ec.message());
            self->redis_.next_layer().set_option(net::ip::tcp::no_delay(true));
            self->redis_.async_handshake(ssl::stream_base::client, [self](boost::system::error_code ec) {
                if (ec) return self->fail("TLS handshake failed: " + ec.message());
                boost::system::error_code lec;
                // mkdtemp makes it 0700: only this user (and root) can reach the socket in it.
                auto pattern = (std::filesystem::temp_directory_path() / "telehub-redis-XXXXXX").string();
                if (!::mkdtemp(pattern.data())) return self->fail("cannot make a directory for the tunnel in " + pattern);
                self->dir_ = pattern;
                self->path_ = pattern + "/redis.sock";
                self->acceptor_.open(net::local::stream_protocol(), lec);
                if (!lec) self->acceptor_.bind(net::local::stream_protocol::endpoint(self->path_), lec);
                if (!lec) self->acceptor_.listen(1, lec);
                if (lec) return self->fail("cannot listen on " + self->path_ + ": " + lec.message());
                self->acceptor_.async_accept(self->hiredis_, [self](boost::system::error_code ec) {
                    boost::system::error_code ignored;
                    self->acceptor_.close(ignored);  // one connection: no other process gets in after hiredis
                    self->remove_socket();
                    if (ec) return self->close();
                    self->pump(self->hiredis_, self->redis_, self->up_);
                    self->pump(self->redis_, self->hiredis_, self->down_);
                });
                if (auto r = std::exchange(self->ready_, {})) r({});
            });
        });
    });
}

template <class From, class To>
void RedisTlsTunnel::pump(From& from, To& to, std::array<char, 16384>& buffer) {
    from.async_read_some(net::buffer(buffer), [self = shared_from_this(), &from, &to, &buffer](boost::system::error_code ec,
                                                                                              std::size_t n) {
        if (ec || self->closed_) return self->close();
        net::async_write(to, net::buffer(buffer.data(), n), [self, &from, &to, &buffer](boost::system::error_code ec, std::size_t) {
            if (ec || self->closed_) return self->close();
            self->pump(from, to, buffer);
        });
    });
}

void RedisTlsTunnel::fail(const std::string& why) {
    close();
    if (auto r = std::exchange(ready_, {})) r(why.empty() ? std::string("failed") : why);
}

void RedisTlsTunnel::close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    resolver_.cancel();
    acceptor_.close(ignored);
    remove_socket();
    hiredis_.close(ignored);  // hiredis reads the end and reconnects through a new tunnel
    redis_.next_layer().close(ignored);
}

}  // namespace telehub::hub
