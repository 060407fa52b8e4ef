// A credentials file: one line per credential, holding its name, the SHA-256
// of its token (never the token, so the file is not a secret) and, for an
// agent, the host ids it may speak for:
//
//     # name      token digest                                              hosts (optional)
//     web1        sha256:5f3c...64 hex...                                   web1
//     batch       sha256:09ab...                                            batch-1,batch-2
//
// `telehub token new` writes these lines, and when it makes the file a first
// line naming the role its credentials have ("# telehub agent credentials: ..."),
// so the file cannot be handed to another role's flag or extended with another
// role's credential. Blank lines and # comments are skipped.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace telehub::hub {

struct CredentialLine {
    std::string name;
    std::array<unsigned char, 32> digest{};
    std::vector<std::string> hosts;  // empty: any host
};

// Throws std::runtime_error "FILE:LINE: what is wrong" for a malformed line or
// a name used twice. `file` only names the source in messages.
std::vector<CredentialLine> parse_credentials(std::string_view text, const std::string& file);

// "agent", "admin" or "viewer" from a file's role line (role_line()); empty
// for a file without one (written by hand, or before files had it).
std::string declared_role(std::string_view text);
// The first line `telehub token new` writes into a file it makes.
std::string role_line(std::string_view role);

// The line `telehub token new` appends for a credential.
std::string format_credential(const std::string& name, std::string_view token, const std::vector<std::string>& hosts);

// A credential or host name: letters, digits and . _ - (no spaces, no separators of this format).
bool valid_credential_word(std::string_view s);

std::array<unsigned char, 32> token_digest(std::string_view token);

}  // namespace telehub::hub
