// OpenSSL's reason for the last failure on this thread, as one line, and the
// error queue cleared: for messages that name what went wrong.
#pragma once

#include <string>

namespace telehub {

std::string openssl_error_text();

}  // namespace telehub
