#include "loadgen/tls_client.hpp"

#include <cstdio>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "telehub/cert_fingerprint.hpp"

namespace telehub::loadgen {
namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> make_agent_tls_context(const std::string& fingerprint) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    SSL_CTX* h = ctx->native_handle();
    // As the real agent (agent/stream/client_tls.cpp): TLS 1.2 at least, the
    // session kept by each connection's owner, not in OpenSSL's cache.
    SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION);
    SSL_CTX_set_options(h, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_session_cache_mode(h, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    // 10,000 idle connections: OpenSSL's 2 x 17 KB record buffers are freed
    // between records instead of held per connection.
    SSL_CTX_set_mode(h, SSL_MODE_RELEASE_BUFFERS);
    if (fingerprint.empty()) {
        ctx->set_verify_mode(ssl::verify_none);
        return ctx;
    }
    ctx->set_verify_mode(ssl::verify_peer);
    ctx->set_verify_callback([fingerprint](bool, ssl::verify_context& vc) {
        X509_STORE_CTX* store = vc.native_handle();
        // The pin is the whole trust: the leaf is the hub's certificate or not.
        if (X509_STORE_CTX_get_error_depth(store) != 0) return true;
        return cert_fingerprint(X509_STORE_CTX_get_current_cert(store)) == fingerprint;
    });
    return ctx;
}

std::string pem_fingerprint(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "r");
    if (!f) return {};
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!cert) return {};
    auto fp = cert_fingerprint(cert);
    X509_free(cert);
    return fp;
}

}  // namespace telehub::loadgen
