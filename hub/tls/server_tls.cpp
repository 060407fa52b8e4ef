#include "hub/tls/server_tls.hpp"

#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509err.h>

#include "telehub/cert_fingerprint.hpp"
#include "telehub/openssl_error.hpp"

namespace telehub::hub {
namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites with forward secrecy and AEAD only; TLS 1.3's are all of that kind already.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// OpenSSL's TLS 1.3 default puts AES-256 first; with the server's preference
// that would be every agent's cipher. AES-128-GCM is as safe and costs less
// per record (4 KB: 1.4 µs against 1.9 µs in `openssl speed` here).
constexpr const char* tls13_suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

struct Built {
    std::shared_ptr<ssl::context> context;
    std::string fingerprint;
};

// The ticket keys from `path`, or new random ones written there. Tickets
// sealed with them survive a hub restart, so 10,000 agents reconnecting
// resume instead of each costing a full handshake. The file also names the
// certificate the keys were made with: a resumed session shows the client no
// certificate, so an agent pinning the old one would go on resuming after a
// change of certificate and only fail at its next full handshake, maybe days
// later. New keys for a new certificate make every agent check it at once.
// A file of the keys alone (before it named the certificate) is adopted.
std::string load_ticket_keys(const std::string& path, const std::string& fingerprint) {
    constexpr std::size_t size = 80;
    std::string keys(size, '\0');
    std::string held(size + 128, '\0');
    ssize_t n = -1;
    if (int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
        n = ::read(fd, held.data(), held.size());
        ::close(fd);
    }
    const bool reuse = n == static_cast<ssize_t>(size) ||
                       (n == static_cast<ssize_t>(size + fingerprint.size()) && held.compare(size, fingerprint.size(), fingerprint) == 0);
    if (reuse) {
        keys.assign(held, 0, size);
        if (n == static_cast<ssize_t>(size + fingerprint.size())) return keys;
    } else if (RAND_bytes(reinterpret_cast<unsigned char*>(keys.data()), size) != 1) {
        throw std::runtime_error("the OS random generator failed making TLS ticket keys");
    }
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    const auto content = keys + fingerprint;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
    if (fd >= 0) ::close(fd);
    if (!ok) throw std::runtime_error("cannot write the TLS ticket key file '" + path + "' (--data-dir)");
    return keys;
}

Built build(const std::string& cert_file, const std::string& key_file) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* h = ctx->native_handle();
    SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION);
    SSL_CTX_set_options(h, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_set_cipher_list(h, tls12_ciphers) != 1)
        throw std::runtime_error("cannot set the TLS cipher list: " + openssl_error_text());
    if (SSL_CTX_set_ciphersuites(h, tls13_suites) != 1)
        throw std::runtime_error("cannot set the TLS 1.3 cipher suites: " + openssl_error_text());
    if (SSL_CTX_use_certificate_chain_file(h, cert_file.c_str()) != 1)
        throw std::runtime_error("cannot load the certificate '" + cert_file + "' (--tls-cert, PEM): " +
                                 openssl_error_text());
    if (SSL_CTX_use_PrivateKey_file(h, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        // OpenSSL checks the pair while loading the key; its "key values mismatch" is a rotation half done.
        const bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
        const auto why = openssl_error_text();
        if (mismatch)
            throw std::runtime_error("the key '" + key_file + "' (--tls-key) does not belong to the certificate '" +
                                     cert_file + "' (--tls-cert)");
        throw std::runtime_error("cannot load the private key '" + key_file + "' (--tls-key, PEM): " + why);
    }
    if (SSL_CTX_check_private_key(h) != 1)
        throw std::runtime_error("the key '" + key_file + "' does not belong to the certificate '" + cert_file + "'");
    return {ctx, cert_fingerprint(SSL_CTX_get0_certificate(h))};
}

// Reconnecting agents resume with a ticket instead of a full handshake.
void use_ticket_keys(ssl::context& ctx, std::string& ticket_keys) {
    SSL_CTX* h = ctx.native_handle();
    SSL_CTX_clear_options(h, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(h, SSL_SESS_CACHE_SERVER);
    if (SSL_CTX_set_tlsext_ticket_keys(h, ticket_keys.data(), static_cast<long>(ticket_keys.size())) != 1)
        throw std::runtime_error("cannot set the TLS ticket keys: " + openssl_error_text());
}

std::string date_text(const ASN1_TIME* t) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(t, &tm) != 1) return "an unreadable date";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

struct CertDates {
    std::string text;      // empty: nothing to say
    bool refused = false;  // agents refuse it now: expired, or not valid yet
};

CertDates judge_dates(X509* cert, const std::string& cert_file, std::chrono::system_clock::time_point now) {
    if (!cert) return {};
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const ASN1_TIME* begins = X509_get0_notBefore(cert);
    const ASN1_TIME* ends = X509_get0_notAfter(cert);
    auto when = [&](const ASN1_TIME* a) { return X509_cmp_time(a, const_cast<std::time_t*>(&t)); };
    if (when(begins) > 0)
        return {"the certificate " + cert_file + " is not valid before " + date_text(begins) + ": agents will refuse it until then", true};
    if (when(ends) < 0)
        return {"the certificate " + cert_file + " expired on " + date_text(ends) + ": agents will refuse it; renew it and reload", true};
    const std::time_t soon = t + 14 * 24 * 3600;
    if (X509_cmp_time(ends, const_cast<std::time_t*>(&soon)) < 0)
        return {"the certificate " + cert_file + " expires on " + date_text(ends) + ", in less than 14 days; renew it and reload"};
    return {};
}

}  // namespace

ServerTls::ServerTls(std::string cert_file, std::string key_file, std::string ticket_key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)), ticket_key_file_(std::move(ticket_key_file)) {
    auto b = build(cert_file_, key_file_);
    ticket_keys_ = load_ticket_keys(ticket_key_file_, b.fingerprint);
    use_ticket_keys(*b.context, ticket_keys_);
    context_ = std::move(b.context);
    fingerprint_ = std::move(b.fingerprint);
}

std::shared_ptr<ssl::context> ServerTls::context() const {
    std::lock_guard lock(mu_);
    return context_;
}

std::string ServerTls::fingerprint() const {
    std::lock_guard lock(mu_);
    return fingerprint_;
}

void ServerTls::reload() {
    auto b = build(cert_file_, key_file_);
    auto keys = b.fingerprint == fingerprint() ? ticket_keys_ : load_ticket_keys(ticket_key_file_, b.fingerprint);
    use_ticket_keys(*b.context, keys);
    std::lock_guard lock(mu_);
    ticket_keys_ = std::move(keys);
    context_ = std::move(b.context);
    fingerprint_ = std::move(b.fingerprint);
}

std::string ServerTls::check_pair(const std::string& cert_file, const std::string& key_file) {
    const auto built = build(cert_file, key_file);
    auto dates = judge_dates(SSL_CTX_get0_certificate(built.context->native_handle()), cert_file,
                             std::chrono::system_clock::now());
    if (dates.refused) throw std::runtime_error(dates.text);
    return dates.text;
}

std::string ServerTls::validity_warning(std::chrono::system_clock::time_point now) const {
    return judge_dates(SSL_CTX_get0_certificate(context()->native_handle()), cert_file_, now).text;
}

}  // namespace telehub::hub
