#include "agent/stream/client_tls.hpp"

#include <stdexcept>

#include <boost/asio/ip/address.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "telehub/cert_fingerprint.hpp"
#include "telehub/openssl_error.hpp"

namespace telehub::agent {
namespace ssl = boost::asio::ssl;

namespace {

std::string subject_of(X509* cert) {
    if (!cert) return "?";
    char buf[256] = "";
    X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
    return buf;
}

bool is_ip_literal(const std::string& host) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    return !ec;
}

}  // namespace

ClientTls::ClientTls(std::string ca_file, std::string fingerprint)
    : ctx_(ssl::context::tls_client), fingerprint_(std::move(fingerprint)) {
    SSL_CTX* h = ctx_.native_handle();
    SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION);
    SSL_CTX_set_options(h, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    // Sessions are kept by this object, one at a time, not in OpenSSL's cache.
    SSL_CTX_set_session_cache_mode(h, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    ctx_.set_verify_mode(ssl::verify_peer);
    if (!fingerprint_.empty()) return;  // the pin is the whole trust: no CA store needed
    if (!ca_file.empty()) {
        if (SSL_CTX_load_verify_locations(h, ca_file.c_str(), nullptr) != 1)
            throw std::runtime_error("--ca-file '" + ca_file + "': cannot load CA certificates: " + openssl_error_text());
    } else if (SSL_CTX_set_default_verify_paths(h) != 1) {
        throw std::runtime_error("cannot load the system's CA certificates: " + openssl_error_text() +
                                 " (give --ca-file or --hub-fingerprint)");
    }
}

ClientTls::~ClientTls() {
    if (session_) SSL_SESSION_free(session_);
}

void ClientTls::prepare(SSL* ssl, const std::string& host, std::string& verify_error) {
    verify_error.clear();
    // SNI carries names only (RFC 6066); an address is checked but not sent.
    if (!is_ip_literal(host)) SSL_set_tlsext_host_name(ssl, host.c_str());
    if (fingerprint_.empty()) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (is_ip_literal(host)) X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
        else X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
    if (session_) {
        // A copy for each attempt: an attempt that fails after its ClientHello
        // would otherwise mark the kept session not resumable for the next one.
        if (SSL_SESSION* copy = SSL_SESSION_dup(session_)) {
            SSL_set_session(ssl, copy);
            SSL_SESSION_free(copy);  // the SSL holds its own reference
        }
    }
}

bool ClientTls::verify(bool preverified, ssl::verify_context& vc, const std::string& host,
                       std::string& verify_error) const {
    X509_STORE_CTX* store = vc.native_handle();
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    int depth = X509_STORE_CTX_get_error_depth(store);
    if (!fingerprint_.empty()) {
        // Pinned: the leaf is the hub's own certificate or it is not; the chain does not matter.
        if (depth != 0) return true;
        auto seen = cert_fingerprint(cert);
        if (seen == fingerprint_) return true;
        verify_error = "the hub's certificate (" + subject_of(cert) + ") has fingerprint " + seen +
                       ", not the pinned --hub-fingerprint " + fingerprint_;
        return false;
    }
    if (preverified) return true;
    int err = X509_STORE_CTX_get_error(store);
    if (verify_error.empty()) {
        verify_error = "the hub's certificate was refused: " + std::string(X509_verify_cert_error_string(err));
        if (err == X509_V_ERR_HOSTNAME_MISMATCH || err == X509_V_ERR_IP_ADDRESS_MISMATCH)
            verify_error += ": it does not name '" + host + "'";
        verify_error += " (certificate " + subject_of(cert) + ", depth " + std::to_string(depth) + ")";
    }
    return false;
}

void ClientTls::remember_session(SSL* ssl) {
    // A copy, not SSL_get1_session's reference to the connection's own
    // session: when that connection later dies without a close_notify (a
    // hub that crashed or was killed), OpenSSL marks its session not
    // resumable, and every reconnect would then be a full handshake.
    SSL_SESSION* s = SSL_SESSION_dup(SSL_get0_session(ssl));
    if (!s) return;
    if (session_) SSL_SESSION_free(session_);
    session_ = s;
}

}  // namespace telehub::agent
