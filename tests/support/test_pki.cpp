#include "tests/support/test_pki.hpp"

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "telehub/cert_fingerprint.hpp"

namespace telehub::test {
namespace fs = std::filesystem;

namespace {

struct Deleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
    void operator()(std::FILE* p) const { std::fclose(p); }
    void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
    void operator()(SSL* p) const { SSL_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Deleter>;

[[noreturn]] void fail(const std::string& what) {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    char buf[256] = "";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    throw std::runtime_error("TestPki: " + what + (e ? std::string(": ") + buf : ""));
}

struct KeyAndCert {
    Owned<EVP_PKEY> key;
    Owned<X509> cert;
};

enum class KeyType { ec_p256, rsa2048 };

Owned<EVP_PKEY> make_key(KeyType type) {
    Owned<EVP_PKEY> key(type == KeyType::ec_p256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048));
    if (!key) fail("key generation");
    return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
    Owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail("extension '" + value + "'");
}

struct Spec {
    std::string cn;
    std::string san;                  // subjectAltName, empty for a CA
    long not_before_s = -3600;        // relative to now
    long not_after_s = 7 * 24 * 3600;
    bool ca = false;
    const char* purpose = "serverAuth";  // extendedKeyUsage of a leaf
};

// Signed by `issuer` (self-signed when null).
KeyAndCert make_cert(const Spec& spec, KeyType type, const KeyAndCert* issuer) {
    KeyAndCert out{make_key(type), Owned<X509>(X509_new())};
    X509* cert = out.cert.get();
    if (!cert) fail("X509_new");
    X509_set_version(cert, 2);
    Owned<BIGNUM> serial(BN_new());
    if (!serial || BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)))
        fail("serial number");
    X509_gmtime_adj(X509_getm_notBefore(cert), spec.not_before_s);
    X509_gmtime_adj(X509_getm_notAfter(cert), spec.not_after_s);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("telehub tests"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer->cert.get()) : name);
    X509_set_pubkey(cert, out.key.get());
    X509* issuer_cert = issuer ? issuer->cert.get() : cert;
    add_ext(cert, issuer_cert, NID_subject_key_identifier, "hash");
    add_ext(cert, issuer_cert, NID_authority_key_identifier, "keyid:always");
    if (spec.ca) {
        add_ext(cert, issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(cert, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(cert, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert, issuer_cert, NID_key_usage,
                type == KeyType::rsa2048 ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature");
        add_ext(cert, issuer_cert, NID_ext_key_usage, spec.purpose);
        if (!spec.san.empty()) add_ext(cert, issuer_cert, NID_subject_alt_name, spec.san);
    }
    EVP_PKEY* signer = issuer ? issuer->key.get() : out.key.get();
    if (X509_sign(cert, signer, EVP_sha256()) <= 0) fail("signing '" + spec.cn + "'");
    return out;
}

Owned<std::FILE> open_for_write(const fs::path& p) {
    Owned<std::FILE> f(std::fopen(p.c_str(), "w"));
    if (!f) throw std::runtime_error("TestPki: cannot write " + p.string());
    return f;
}

std::string write_cert(const fs::path& p, X509* cert) {
    auto f = open_for_write(p);
    if (PEM_write_X509(f.get(), cert) != 1) fail("writing " + p.string());
    return p.string();
}

TestCert write_pair(const fs::path& dir, const std::string& stem, const KeyAndCert& kc) {
    TestCert out;
    out.cert_file = write_cert(dir / (stem + "-cert.pem"), kc.cert.get());
    out.key_file = (dir / (stem + "-key.pem")).string();
    auto f = open_for_write(out.key_file);
    if (PEM_write_PrivateKey(f.get(), kc.key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        fail("writing " + out.key_file);
    out.fingerprint = cert_fingerprint(kc.cert.get());
    return out;
}

constexpr const char* good_names = "DNS:localhost,IP:127.0.0.1";
constexpr long day = 24 * 3600;

}  // namespace

TestPki::TestPki() {
    char tmpl[] = "/tmp/telehub-pki-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("TestPki: mkdtemp failed");
    dir_ = tmpl;
    try {
        auto ca = make_cert({.cn = "telehub test CA", .not_after_s = 30 * day, .ca = true}, KeyType::ec_p256, nullptr);
        ca_file = write_cert(dir_ / "ca-cert.pem", ca.cert.get());
        hub = write_pair(dir_, "hub", make_cert({.cn = "localhost", .san = good_names}, KeyType::ec_p256, &ca));
        hub_rsa = write_pair(dir_, "hub-rsa", make_cert({.cn = "localhost", .san = good_names}, KeyType::rsa2048, &ca));
        other_name = write_pair(dir_, "other-name",
                                make_cert({.cn = "other.example", .san = "DNS:other.example"}, KeyType::ec_p256, &ca));
        expired = write_pair(dir_, "expired",
                             make_cert({.cn = "localhost", .san = good_names, .not_before_s = -3 * day, .not_after_s = -day},
                                       KeyType::ec_p256, &ca));
        client = write_pair(dir_, "client",
                            make_cert({.cn = "telehub hub", .san = "DNS:hub.test", .purpose = "clientAuth"}, KeyType::ec_p256, &ca));
        auto ca2 = make_cert({.cn = "unrelated test CA", .not_after_s = 30 * day, .ca = true}, KeyType::ec_p256, nullptr);
        other_ca_file = write_cert(dir_ / "other-ca-cert.pem", ca2.cert.get());
        other_ca = write_pair(dir_, "other-ca", make_cert({.cn = "localhost", .san = good_names}, KeyType::ec_p256, &ca2));
    } catch (...) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
        throw;
    }
}

TestPki::~TestPki() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::string tls_peer_fingerprint(std::uint16_t port, std::chrono::milliseconds timeout) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return {};
    // Every blocking call below (connect, the handshake's reads and writes) is bounded by this.
    timeval tv{};
    tv.tv_sec = timeout.count() / 1000;
    tv.tv_usec = (timeout.count() % 1000) * 1000;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    std::string out;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        Owned<SSL_CTX> ctx(SSL_CTX_new(TLS_client_method()));
        Owned<SSL> ssl(ctx ? SSL_new(ctx.get()) : nullptr);
        if (ssl && SSL_set_fd(ssl.get(), fd) == 1 && SSL_connect(ssl.get()) == 1) {
            Owned<X509> peer(SSL_get1_peer_certificate(ssl.get()));
            out = cert_fingerprint(peer.get());
            SSL_shutdown(ssl.get());
        }
        ERR_clear_error();
    }
    ::close(fd);
    return out;
}

}  // namespace telehub::test
