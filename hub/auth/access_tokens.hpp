// Who may do what (docs/protocol.md, "Access"). Tokens are kept only as
// SHA-256 digests and every presented token is compared against all of them
// in constant time, so neither timing nor a memory dump of this table gives a
// token away. Tokens given on the command line or in plain token files are
// fixed at start-up; credentials files (credential_file.hpp) are read again by
// reload() on SIGHUP. Any thread may look up while another reloads: lookups
// take a snapshot of the table.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace telehub::hub {

enum class Role { agent, viewer, admin };

struct Principal {
    std::string name;  // the credential's name ("admin", or the name in its file) for logs and the audit log
    Role role = Role::viewer;
    std::vector<std::string> hosts;       // host ids an agent credential may speak for; empty: any
    std::array<unsigned char, 32> digest{};  // which token it was, to tell a revoked one after a reload

    bool may_speak_for(std::string_view host_id) const;
};

// Shorter tokens are refused: at start (hub_config names the flag) and here.
inline constexpr std::size_t min_token_length = 8;

class AccessTokens {
public:
    // Tokens from --<role>-token (named after the role) and --<role>-token-file.
    // Throws std::runtime_error (start-up) for an unreadable or empty file or a
    // token shorter than 8 characters.
    void add(Role role, std::string name, std::string_view token);
    void add_file(Role role, const std::string& path);
    // A credentials file (--<role>-tokens-file): read now and again by reload().
    // Throws std::runtime_error naming the file and line.
    void add_credentials_file(Role role, const std::string& path);

    // Re-reads every credentials file; all or nothing: on any error it throws
    // and the table stays as it was.
    void reload();

    // A reload of the whole configuration (SIGHUP with --config): takes every
    // token and credentials file of `next`, built from the re-read config, in
    // one step; `next` is left empty. A role that needed a token still does.
    void replace_with(AccessTokens& next);

    // A role needs a token once any token flag or file was given for it, even
    // when a reload has since emptied its file: revoking the last viewer must
    // not open reading to everyone.
    bool requires_agent_token() const { return configured_[static_cast<int>(Role::agent)]; }
    bool requires_viewer_token() const { return configured_[static_cast<int>(Role::viewer)]; }
    bool has(Role role) const;  // holds at least one token of that role now

    // The principal the token belongs to; nullopt when it matches none.
    // Agent tokens are only found with role agent, and the others without it.
    std::optional<Principal> find(std::string_view token, bool agent) const;

    // False once a reload has removed the credential (same name and token).
    bool still_valid(const Principal& p) const;
    // The credential as the table holds it now (its host ids may have
    // changed); nullopt once it was removed.
    std::optional<Principal> current(const Principal& p) const;

    // A fresh random token (32 bytes, hex) from the OS's generator.
    static std::string random_token();

private:
    using Table = std::vector<Principal>;
    std::shared_ptr<const Table> snapshot() const;
    Table read_credentials() const;
    void publish();
    void publish_locked();  // mu_ held

    std::array<std::atomic<bool>, 3> configured_{};  // by Role; only ever set, never cleared
    Table fixed_;  // start-up tokens; never change
    Table credentials_;  // from the credentials files, as last read successfully
    std::vector<std::pair<Role, std::string>> credential_files_;
    mutable std::mutex mu_;
    std::shared_ptr<const Table> table_ = std::make_shared<const Table>();
};

// "Bearer <token>" -> token; empty when the header is absent or another scheme.
std::string_view bearer_token(std::string_view authorization);

// A file's permission bits as chmod takes them ("0640"), for the messages
// that refuse token files others may read or write.
std::string file_mode_text(unsigned mode);

}  // namespace telehub::hub
