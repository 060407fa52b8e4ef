#include "hub/api/access_tokens.hpp"

#include <cctype>
#include <fstream>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace telehub::hub {
namespace {

constexpr std::size_t min_token_length = 8;

std::array<unsigned char, 32> digest_of(std::string_view token) {
    std::array<unsigned char, 32> d{};
    SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), d.data());
    return d;
}

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

}  // namespace

void AccessTokens::add(Role role, std::string name, std::string_view token) {
    if (token.size() < min_token_length)
        throw std::runtime_error("the " + std::string(role_name(role)) + " token '" + name + "' is shorter than " +
                                 std::to_string(min_token_length) + " characters");
    entries_.push_back({digest_of(token), {std::move(name), role}});
}

void AccessTokens::add_file(Role role, const std::string& path) {
    std::ifstream in(path);  // start-up only
    if (!in) throw std::runtime_error("cannot read the " + std::string(role_name(role)) + " token file '" + path + "'");
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
        add(role, name, token);
        ++added;
    }
    if (added == 0) throw std::runtime_error("the " + std::string(role_name(role)) + " token file '" + path + "' holds no token");
}

bool AccessTokens::has(Role role) const {
    for (const auto& e : entries_)
        if (e.who.role == role) return true;
    return false;
}

std::optional<Principal> AccessTokens::find(std::string_view token, bool agent) const {
    if (token.empty()) return std::nullopt;
    auto d = digest_of(token);
    const Entry* match = nullptr;
    // Every entry is compared, matched or not, so the time taken does not say which one matched.
    for (const auto& e : entries_) {
        bool same = CRYPTO_memcmp(d.data(), e.digest.data(), d.size()) == 0;
        bool kind_ok = (e.who.role == Role::agent) == agent;
        if (same && kind_ok && !match) match = &e;
    }
    if (!match) return std::nullopt;
    return match->who;
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
