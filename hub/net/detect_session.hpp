// The first moments of an accepted connection: plain HTTP or TLS on the one
// port (Beast's detect_ssl on the first bytes), then the TLS handshake if it
// is TLS, then an HttpSession over the right stream. A TLS hello to a hub
// without a certificate, or a handshake that fails or stalls, ends here with
// one log line.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "hub/net/streams.hpp"

namespace telehub::hub {

struct HubContext;

class DetectSession : public std::enable_shared_from_this<DetectSession> {
public:
    DetectSession(boost::asio::ip::tcp::socket&& socket, HubContext& ctx);
    void run();

private:
    void on_detect(boost::beast::error_code ec, bool is_tls);
    void start_plain();

    PlainStream stream_;
    HubContext& ctx_;
    std::string peer_;
    bool plain_refused_ = false;
    boost::beast::flat_buffer buffer_;
};

// Starts serving one accepted connection: straight to HTTP when the hub has
// no TLS (no detection needed), else through a DetectSession.
void start_connection(boost::asio::ip::tcp::socket&& socket, HubContext& ctx);

}  // namespace telehub::hub
