#include "hub/auth/credential_file.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <openssl/sha.h>

namespace telehub::hub {
namespace {

constexpr std::string_view digest_prefix = "sha256:";
constexpr std::string_view role_line_start = "# telehub ";
constexpr std::string_view role_line_end = " credentials";

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    while (!(s = trim(s)).empty()) {
        auto end = s.find_first_of(" \t");
        out.push_back(s.substr(0, end));
        if (end == std::string_view::npos) break;
        s.remove_prefix(end);
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool parse_digest(std::string_view text, std::array<unsigned char, 32>& out) {
    if (text.substr(0, digest_prefix.size()) != digest_prefix) return false;
    text.remove_prefix(digest_prefix.size());
    if (text.size() != 64) return false;
    for (std::size_t i = 0; i < 32; ++i) {
        int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return true;
}

}  // namespace

bool valid_credential_word(std::string_view s) {
    return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
}

std::array<unsigned char, 32> token_digest(std::string_view token) {
    std::array<unsigned char, 32> d{};
    SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), d.data());
    return d;
}

std::vector<CredentialLine> parse_credentials(std::string_view text, const std::string& file) {
    std::vector<CredentialLine> out;
    std::size_t line_no = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (line.empty() || line.front() == '#') continue;
        auto where = file + ":" + std::to_string(line_no) + ": ";
        auto w = words(line);
        if (w.size() < 2 || w.size() > 3)
            throw std::runtime_error(where + "expected NAME sha256:HEX [HOST,...], got " + std::to_string(w.size()) +
                                     " fields");
        CredentialLine c;
        c.name = std::string(w[0]);
        if (!valid_credential_word(c.name))
            throw std::runtime_error(where + "name '" + c.name + "' may hold only letters, digits, '.', '_' and '-'");
        // The word itself is not shown: the likeliest mistake is a token pasted in place of its digest.
        if (!parse_digest(w[1], c.digest))
            throw std::runtime_error(where + "the second field (" + std::to_string(w[1].size()) +
                                     " characters, not shown) is not sha256: followed by 64 hex digits; the file holds "
                                     "digests, never tokens (telehub token new writes them)");
        if (w.size() == 3) {
            std::string_view hosts = w[2];
            while (!hosts.empty()) {
                auto comma = hosts.find(',');
                auto h = hosts.substr(0, comma);
                if (!valid_credential_word(h))
                    throw std::runtime_error(where + "host id '" + std::string(h) + "' is not valid");
                c.hosts.emplace_back(h);
                hosts = comma == std::string_view::npos ? std::string_view{} : hosts.substr(comma + 1);
            }
        }
        for (const auto& prev : out)
            if (prev.name == c.name) throw std::runtime_error(where + "the name '" + c.name + "' is used twice");
        out.push_back(std::move(c));
    }
    return out;
}

std::string declared_role(std::string_view text) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (line.empty()) continue;
        if (line.substr(0, role_line_start.size()) != role_line_start) return {};
        line.remove_prefix(role_line_start.size());
        for (std::string_view role : {"agent", "admin", "viewer"})
            if (line.substr(0, role.size()) == role && line.substr(role.size(), role_line_end.size()) == role_line_end)
                return std::string(role);
        return {};
    }
    return {};
}

std::string role_line(std::string_view role) {
    std::string line = std::string(role_line_start) + std::string(role) + std::string(role_line_end) +
                       ": NAME sha256:DIGEST";
    if (role == "agent") line += " [HOST,...]";
    return line + " (telehub token new --role " + std::string(role) + " adds one)\n";
}

std::string format_credential(const std::string& name, std::string_view token, const std::vector<std::string>& hosts) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string line = name + " " + std::string(digest_prefix);
    for (unsigned char b : token_digest(token)) {
        line.push_back(hex[b >> 4]);
        line.push_back(hex[b & 15]);
    }
    for (std::size_t i = 0; i < hosts.size(); ++i) line += (i == 0 ? " " : ",") + hosts[i];
    return line + "\n";
}

}  // namespace telehub::hub
