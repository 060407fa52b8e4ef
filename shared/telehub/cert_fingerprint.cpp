#include "telehub/cert_fingerprint.hpp"

#include <cctype>

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace telehub {

std::string cert_fingerprint(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!cert || X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "sha256:";
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(hex[md[i] >> 4]);
        out.push_back(hex[md[i] & 15]);
    }
    return out;
}

std::optional<std::string> normalize_fingerprint(std::string_view text) {
    constexpr std::string_view prefix = "sha256:";
    if (text.size() >= prefix.size()) {
        std::string head(text.substr(0, prefix.size()));
        for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (head == prefix) text.remove_prefix(prefix.size());
    }
    std::string out = "sha256:";
    for (char c : text) {
        if (c == ':') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (out.size() != prefix.size() + 64) return std::nullopt;
    return out;
}

}  // namespace telehub
