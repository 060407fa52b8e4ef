#include "hub/tls/self_signed.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace telehub::hub {
namespace fs = std::filesystem;

namespace {

// Pinned by fingerprint, not trusted through a CA, so a long life costs
// nothing and spares operators a re-pin of every agent each year.
constexpr long validity_days = 3650;

struct Deleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
    void operator()(std::FILE* p) const { std::fclose(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Deleter>;

[[noreturn]] void fail(const std::string& what) {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    char buf[256] = "";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    throw std::runtime_error("cannot make the hub's self-signed certificate: " + what + (e ? std::string(": ") + buf : ""));
}

void add_ext(X509* cert, int nid, const std::string& value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
    Owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail("extension '" + value + "'");
}

// Opened with `mode` from the start, so the key is never readable by others, not even briefly.
Owned<std::FILE> create_file(const fs::path& p, mode_t mode) {
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) throw std::runtime_error("cannot write '" + p.string() + "': " + std::strerror(errno));
    return Owned<std::FILE>(::fdopen(fd, "w"));
}

}  // namespace

SelfSignedCert ensure_self_signed(const std::string& data_dir, const std::vector<std::string>& dns_names,
                                  const std::vector<std::string>& ip_addresses) {
    fs::path dir = fs::path(data_dir) / "tls";
    SelfSignedCert out{(dir / "hub-cert.pem").string(), (dir / "hub-key.pem").string(), false};
    if (fs::exists(out.cert_file) && fs::exists(out.key_file)) return out;

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create the data directory '" + dir.string() + "' (--data-dir): " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, ec);

    Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
    if (!key) fail("EC P-256 key generation");
    Owned<X509> cert(X509_new());
    if (!cert) fail("X509_new");
    X509_set_version(cert.get(), 2);
    Owned<BIGNUM> serial(BN_new());
    if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        fail("serial number");
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);  // tolerate agents whose clock is a little behind
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity_days * 24 * 3600);
    std::string cn = dns_names.empty() ? "telehub" : dns_names.front();
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("telehub"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key.get());
    std::string san;
    for (const auto& d : dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + d;
    for (const auto& a : ip_addresses) san += (san.empty() ? "IP:" : ",IP:") + a;
    if (!san.empty()) add_ext(cert.get(), NID_subject_alt_name, san);
    add_ext(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), NID_key_usage, "critical,digitalSignature");
    add_ext(cert.get(), NID_ext_key_usage, "serverAuth");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) fail("signing");

    // Key first, then certificate, each written beside and renamed into place:
    // a crash leaves either the old pair or a complete new one.
    fs::path key_tmp = out.key_file + ".new", cert_tmp = out.cert_file + ".new";
    {
        auto f = create_file(key_tmp, 0600);
        if (PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) fail("writing the key");
    }
    {
        auto f = create_file(cert_tmp, 0644);
        if (PEM_write_X509(f.get(), cert.get()) != 1) fail("writing the certificate");
    }
    fs::rename(key_tmp, out.key_file);
    fs::rename(cert_tmp, out.cert_file);
    out.created = true;
    return out;
}

}  // namespace telehub::hub
