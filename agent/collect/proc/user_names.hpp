// uid -> user name, resolved once per uid: getpwuid_r can go through NSS
// (LDAP, sssd) and must not run once per process per tick.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace telehub::agent {

class UserNames {
public:
    // The user name of `uid`, or the uid in decimal when the passwd database
    // has no entry. The reference stays valid for the life of this object
    // (entries are never erased; unordered_map nodes do not move).
    const std::string& name(std::uint32_t uid);

private:
    std::unordered_map<std::uint32_t, std::string> cache_;
    std::vector<char> buf_;
};

}  // namespace telehub::agent
