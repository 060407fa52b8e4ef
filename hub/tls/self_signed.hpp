// The certificate a hub makes for itself when it listens beyond loopback and
// was given none: ECDSA P-256, self-signed, named for the host name and the
// listen address, kept in the data directory so agents that pinned its
// fingerprint keep trusting it across restarts.
#pragma once

#include <string>
#include <vector>

namespace telehub::hub {

struct SelfSignedCert {
    std::string cert_file;  // <data-dir>/tls/hub-cert.pem
    std::string key_file;   // <data-dir>/tls/hub-key.pem, mode 0600
    bool created = false;   // false: an earlier start's pair was reused
};

// Reuses the pair in `data_dir` if both files exist, else makes one naming
// `dns_names` and `ip_addresses` (subjectAltName). Throws std::runtime_error
// naming the path when the directory or files cannot be written.
SelfSignedCert ensure_self_signed(const std::string& data_dir, const std::vector<std::string>& dns_names,
                                  const std::vector<std::string>& ip_addresses);

}  // namespace telehub::hub
