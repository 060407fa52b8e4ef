// The agent's side of TLS: whom it trusts as its hub and how it proves that
// before the hello (and its token) goes out. Either a CA store (the system's,
// or --ca-file) with the URL's host checked against the certificate and sent
// as SNI, or one pinned certificate fingerprint (a hub's self-signed
// certificate). The last session is kept so a reconnect resumes it instead of
// a full handshake.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/verify_context.hpp>

typedef struct ssl_st SSL;
typedef struct ssl_session_st SSL_SESSION;

namespace telehub::agent {

class ClientTls {
public:
    // Throws std::runtime_error when the CA file or the system store cannot be loaded.
    ClientTls(std::string ca_file, std::string fingerprint);
    ~ClientTls();

    boost::asio::ssl::context& context() { return ctx_; }

    // Prepares one connection's SSL for `host`: SNI (for a name), the host
    // check (CA mode), the previous session. `verify_error` receives, if the
    // hub's certificate is refused, one line saying what did not match.
    void prepare(SSL* ssl, const std::string& host, std::string& verify_error);

    // The verify callback's decision; records why in `verify_error`.
    bool verify(bool preverified, boost::asio::ssl::verify_context& vc, const std::string& host,
                std::string& verify_error) const;

    // After a completed handshake: keeps its session for the next connection.
    void remember_session(SSL* ssl);

private:
    boost::asio::ssl::context ctx_;
    std::string fingerprint_;
    SSL_SESSION* session_ = nullptr;
};

}  // namespace telehub::agent
