// The two byte streams a connection can be: plain TCP (loopback peers only)
// or TLS over TCP. Sessions are templates over these, instantiated for both
// in their .cpp, so the plain path costs exactly what it did before TLS.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>

#include "hub/net/tls_socket_stream.hpp"

namespace telehub::hub {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = TlsSocketStream;

template <class Stream>
inline constexpr bool is_tls_stream = std::is_same_v<Stream, TlsStream>;

}  // namespace telehub::hub
