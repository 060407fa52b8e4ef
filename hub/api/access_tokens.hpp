// Who may do what (docs/protocol.md, "Access"). Tokens are kept only as
// SHA-256 digests and every presented token is compared against all of them
// in constant time, so neither timing nor a memory dump of this table gives a
// token away. Built once at start-up; read-only afterwards, so any thread may
// call it without a lock.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telehub::hub {

enum class Role { agent, viewer, admin };

struct Principal {
    std::string name;  // the token's name ("admin", or the name in its file) for the audit log
    Role role = Role::viewer;
};

class AccessTokens {
public:
    // Tokens from --<role>-token (named after the role) and --<role>-token-file.
    // Throws std::runtime_error (start-up) for an unreadable or empty file or a
    // token shorter than 8 characters.
    void add(Role role, std::string name, std::string_view token);
    void add_file(Role role, const std::string& path);

    bool requires_agent_token() const { return has(Role::agent); }
    bool requires_viewer_token() const { return has(Role::viewer); }
    bool has(Role role) const;

    // The principal the token belongs to; nullopt when it matches none.
    // Agent tokens are only found with role agent, and the others without it.
    std::optional<Principal> find(std::string_view token, bool agent) const;

    // A fresh random token (32 bytes, hex) from the OS's generator.
    static std::string random_token();

private:
    struct Entry {
        std::array<unsigned char, 32> digest;
        Principal who;
    };
    std::vector<Entry> entries_;
};

// "Bearer <token>" -> token; empty when the header is absent or another scheme.
std::string_view bearer_token(std::string_view authorization);

}  // namespace telehub::hub
