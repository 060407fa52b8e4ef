#include "telehub/openssl_error.hpp"

#include <openssl/err.h>

namespace telehub {

std::string openssl_error_text() {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

}  // namespace telehub
