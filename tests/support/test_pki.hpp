// A throwaway PKI for the TLS tests, made with OpenSSL's C API in a temporary
// directory that the destructor removes: a test CA, hub certificates it signs
// (good ECDSA P-256 and RSA ones, one for another name, an expired one) and
// one from a second, unrelated CA. Also: what certificate a TLS server shows.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace telehub::test {

struct TestCert {
    std::string cert_file;    // PEM, the leaf only
    std::string key_file;     // PEM, unencrypted
    std::string fingerprint;  // "sha256:..." as telehub::cert_fingerprint writes it
};

class TestPki {
public:
    TestPki();  // throws std::runtime_error naming the OpenSSL step that failed
    ~TestPki();
    TestPki(const TestPki&) = delete;
    TestPki& operator=(const TestPki&) = delete;

    const std::filesystem::path& dir() const { return dir_; }

    std::string ca_file;        // the test CA's certificate: what agents get as --ca-file
    TestCert hub;               // ECDSA P-256, DNS:localhost and IP:127.0.0.1, signed by the test CA
    TestCert hub_rsa;           // the same names, RSA 2048
    TestCert other_name;        // DNS:other.example only, signed by the test CA
    TestCert expired;           // the good names, signed by the test CA, notAfter yesterday
    TestCert other_ca;          // the good names, signed by a second CA no agent trusts
    TestCert client;            // a client certificate (clientAuth), signed by the test CA
    std::string other_ca_file;  // that second CA's certificate

private:
    std::filesystem::path dir_;
};

// The fingerprint of the leaf certificate the TLS server on 127.0.0.1:`port`
// presents (no verification); empty if no handshake completed within `timeout`.
std::string tls_peer_fingerprint(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace telehub::test
