#include "hub/auth/access_tokens.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "hub/auth/credential_file.hpp"

namespace telehub::hub {
namespace {

std::string_view role_name(Role r) {
    switch (r) {
    case Role::agent: return "agent";
    case Role::viewer: return "viewer";
    case Role::admin: return "admin";
    }
    return "?";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::string user_name() {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw ? "user " + std::string(pw->pw_name) : "uid " + std::to_string(::geteuid());
}

// Opens a token or credentials file (start-up and SIGHUP only, never on an io
// thread's request path), refusing one that others may write: they could add
// a credential of their own (sshd's StrictModes refuses the same modes).
std::ifstream open_access_file(const std::string& path, const std::string& what) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read the " + what + " '" + path + "': " + std::strerror(errno) +
                                 (errno == EACCES ? " (the hub runs as " + user_name() + ")" : ""));
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IWOTH | S_IWGRP))) {
        const group* gr = ::getgrgid(st.st_gid);
        const std::string writers = (st.st_mode & S_IWOTH) ? "any user"
                                    : gr                   ? "the group " + std::string(gr->gr_name)
                                                           : "the group " + std::to_string(st.st_gid);
        throw std::runtime_error("the " + what + " '" + path + "' can be written by " + writers + " (mode " + file_mode_text(st.st_mode) +
                                 "), who could add a credential: chmod go-w it");
    }
    return in;
}

std::string read_whole(const std::string& path, Role role) {
    auto in = open_access_file(path, std::string(role_name(role)) + " credentials file");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::string file_mode_text(unsigned mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", mode & 07777u);
    return text;
}

bool Principal::may_speak_for(std::string_view host_id) const {
    return hosts.empty() || std::find(hosts.begin(), hosts.end(), host_id) != hosts.end();
}

void AccessTokens::add(Role role, std::string name, std::string_view token) {
    if (token.size() < min_token_length)
        throw std::runtime_error("the " + std::string(role_name(role)) + " token '" + name + "' is shorter than " +
                                 std::to_string(min_token_length) + " characters");
    fixed_.push_back({std::move(name), role, {}, token_digest(token)});
    configured_[static_cast<int>(role)] = true;
    publish();
}

void AccessTokens::add_file(Role role, const std::string& path) {
    auto in = open_access_file(path, std::string(role_name(role)) + " token file");
    std::string line;
    std::size_t added = 0, line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        auto l = trim(line);
        if (l.empty() || l.front() == '#') continue;
        auto space = l.find_first_of(" \t");
        std::string name = std::string(role_name(role)) + "-" + std::to_string(line_no);
        std::string_view token = l;
        if (space != std::string_view::npos) {
            name = std::string(l.substr(0, space));
            token = trim(l.substr(space));
        }
        // A credentials file given to the token-file flag, one letter away, would make its
        // public digests valid tokens for any host.
        if (token.substr(0, 7) == "sha256:")
            throw std::runtime_error(path + ":" + std::to_string(line_no) + ": this is a credentials file (NAME sha256:DIGEST), "
                                     "which holds digests, not tokens: give it with --" + std::string(role_name(role)) +
                                     "-tokens-file, not --" + std::string(role_name(role)) + "-token-file");
        add(role, name, token);
        ++added;
    }
    if (added == 0) throw std::runtime_error("the " + std::string(role_name(role)) + " token file '" + path + "' holds no token");
}

void AccessTokens::add_credentials_file(Role role, const std::string& path) {
    configured_[static_cast<int>(role)] = true;
    credential_files_.emplace_back(role, path);
    try {
        reload();
    } catch (...) {
        credential_files_.pop_back();
        throw;
    }
}

AccessTokens::Table AccessTokens::read_credentials() const {
    Table out;
    for (const auto& [role, path] : credential_files_) {
        const auto text = read_whole(path, role);
        if (auto declared = declared_role(text); !declared.empty() && declared != role_name(role))
            throw std::runtime_error(path + " holds " + declared + " credentials (its first line says so), but was given as --" +
                                     std::string(role_name(role)) + "-tokens-file: give it with --" + declared +
                                     "-tokens-file");
        for (auto& c : parse_credentials(text, path)) {
            if (role != Role::agent && !c.hosts.empty())
                throw std::runtime_error(path + ": '" + c.name + "' lists host ids, which only agent credentials take");
            out.push_back({std::move(c.name), role, std::move(c.hosts), c.digest});
        }
    }
    return out;
}

void AccessTokens::reload() {
    auto read = read_credentials();  // may throw: the table is untouched until it succeeded
    std::lock_guard lock(mu_);
    credentials_ = std::move(read);
    publish_locked();
}

void AccessTokens::replace_with(AccessTokens& next) {
    std::scoped_lock lock(mu_, next.mu_);
    for (std::size_t i = 0; i < configured_.size(); ++i)
        if (next.configured_[i]) configured_[i] = true;
    fixed_ = std::move(next.fixed_);
    credentials_ = std::move(next.credentials_);
    credential_files_ = std::move(next.credential_files_);
    publish_locked();
}

void AccessTokens::publish() {
    std::lock_guard lock(mu_);
    publish_locked();
}

void AccessTokens::publish_locked() {
    auto table = std::make_shared<Table>(fixed_);
    table->insert(table->end(), credentials_.begin(), credentials_.end());
    table_ = std::move(table);
}

std::shared_ptr<const AccessTokens::Table> AccessTokens::snapshot() const {
    std::lock_guard lock(mu_);
    return table_;
}

bool AccessTokens::has(Role role) const {
    auto t = snapshot();
    return std::any_of(t->begin(), t->end(), [role](const Principal& p) { return p.role == role; });
}

std::optional<Principal> AccessTokens::find(std::string_view token, bool agent) const {
    if (token.empty()) return std::nullopt;
    auto d = token_digest(token);
    auto t = snapshot();
    const Principal* match = nullptr;
    // Every entry is compared, matched or not, so the time taken does not say which one matched.
    for (const auto& p : *t) {
        bool same = CRYPTO_memcmp(d.data(), p.digest.data(), d.size()) == 0;
        bool kind_ok = (p.role == Role::agent) == agent;
        if (same && kind_ok && !match) match = &p;
    }
    if (!match) return std::nullopt;
    return *match;
}

std::optional<Principal> AccessTokens::current(const Principal& who) const {
    auto t = snapshot();
    for (const auto& p : *t)
        if (p.role == who.role && p.name == who.name && p.digest == who.digest) return p;
    return std::nullopt;
}

bool AccessTokens::still_valid(const Principal& who) const {
    auto t = snapshot();
    return std::any_of(t->begin(), t->end(), [&](const Principal& p) {
        return p.role == who.role && p.name == who.name && p.digest == who.digest;
    });
}

std::string AccessTokens::random_token() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("the OS random generator failed; give --admin-token");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

std::string_view bearer_token(std::string_view authorization) {
    constexpr std::string_view scheme = "Bearer ";
    if (authorization.size() <= scheme.size()) return {};
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != std::tolower(static_cast<unsigned char>(scheme[i])))
            return {};
    return trim(authorization.substr(scheme.size()));
}

}  // namespace telehub::hub
