// Redis over TLS (rediss://) for hiredis 0.14, Debian bookworm's, which has
// no TLS of its own: the hub makes the TLS connection to Redis itself (Asio
// and OpenSSL, the peer's certificate checked against --cluster-ca or the
// system's CAs and against the URL's host), then lets hiredis connect to a
// Unix socket in a directory only this user can enter (made for this tunnel
// and removed as soon as hiredis is in, so nothing is left behind even if
// the hub is killed), and copies bytes between the two. One tunnel per connection attempt: when either side
// ends, both are closed and the link reconnects as it would without TLS.
// Runs on the cluster's thread, like the link that owns it.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "hub/cluster/redis_url.hpp"

namespace telehub::hub {

struct RedisTlsFiles {
    std::string ca;    // PEM CA(s); empty: the system's trusted CAs
    std::string cert;  // PEM client certificate (Redis's tls-auth-clients), with key
    std::string key;
};

// The client context every rediss:// connection uses; throws
// std::runtime_error naming the file that could not be used.
std::shared_ptr<boost::asio::ssl::context> make_redis_tls_context(const RedisTlsFiles& files);

class RedisTlsTunnel : public std::enable_shared_from_this<RedisTlsTunnel> {
public:
    // Empty: the tunnel is up and hiredis may connect to socket_path() now.
    using Ready = std::function<void(const std::string& error)>;

    RedisTlsTunnel(boost::asio::io_context& ioc, boost::asio::ssl::context& tls, RedisUrl url);
    ~RedisTlsTunnel();

    void open(Ready ready);
    void close();
    const std::string& socket_path() const { return path_; }

private:
    template <class From, class To>
    void pump(From& from, To& to, std::array<char, 16384>& buffer);
    void fail(const std::string& why);
    void remove_socket();

    boost::asio::io_context& ioc_;
    RedisUrl url_;
    std::string dir_;   // private to this tunnel, while hiredis has not connected
    std::string path_;  // dir_/redis.sock
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> redis_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::local::stream_protocol::socket hiredis_;
    std::array<char, 16384> up_{}, down_{};  // hiredis -> Redis, Redis -> hiredis
    Ready ready_;
    bool closed_ = false;
};

}  // namespace telehub::hub
