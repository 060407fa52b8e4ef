// A certificate's identity as operators compare it: the SHA-256 of its DER
// encoding, written "sha256:" + 64 lower-case hex digits. The hub prints it
// for its generated certificate; the agent pins it with --hub-fingerprint.
#pragma once

#include <optional>
#include <string>
#include <string_view>

typedef struct x509_st X509;

namespace telehub {

// "sha256:ab12..." for `cert`; empty if it cannot be encoded.
std::string cert_fingerprint(X509* cert);

// Accepts "sha256:HEX" and OpenSSL's "AB:12:..." form (`openssl x509
// -fingerprint -sha256`), in either case; returns the canonical form, or
// nullopt when it is not 32 bytes of hex.
std::optional<std::string> normalize_fingerprint(std::string_view text);

}  // namespace telehub
