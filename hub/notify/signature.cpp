#include "hub/notify/senders.hpp"

#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace telehub::hub {

std::string hmac_sha256_hex(std::string_view key, std::string_view body) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
              body.size(), mac, &len))
        throw std::runtime_error("HMAC-SHA256 failed in OpenSSL");  // only when OpenSSL itself is broken
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        hex.push_back(digits[mac[i] >> 4]);
        hex.push_back(digits[mac[i] & 15]);
    }
    return hex;
}

std::string signature_value(std::string_view key, std::string_view body) { return "sha256=" + hmac_sha256_hex(key, body); }

}  // namespace telehub::hub
