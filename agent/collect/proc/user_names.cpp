#include "agent/collect/proc/user_names.hpp"

#include <cerrno>

#include <pwd.h>
#include <unistd.h>

namespace telehub::agent {

const std::string& UserNames::name(std::uint32_t uid) {
    auto it = cache_.find(uid);
    if (it != cache_.end()) return it->second;

    if (buf_.empty()) {
        long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
        buf_.resize(hint > 0 ? static_cast<std::size_t>(hint) : 1024);
    }
    std::string name;
    for (;;) {
        passwd pw{};
        passwd* found = nullptr;
        int rc = ::getpwuid_r(static_cast<uid_t>(uid), &pw, buf_.data(), buf_.size(), &found);
        // ERANGE: an entry bigger than the buffer; grow up to 1 MiB and retry.
        if (rc == ERANGE && buf_.size() < (1u << 20)) {
            buf_.resize(buf_.size() * 2);
            continue;
        }
        if (rc == 0 && found != nullptr && found->pw_name != nullptr) name = found->pw_name;
        break;
    }
    // A missing entry is common in containers; the number still tells the user who it is.
    if (name.empty()) name = std::to_string(uid);
    return cache_.emplace(uid, std::move(name)).first->second;
}

}  // namespace telehub::agent
