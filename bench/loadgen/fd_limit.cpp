#include "loadgen/fd_limit.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <sys/resource.h>

namespace telehub::loadgen {
namespace {

// Returns an error text, empty on success.
std::string raise(pid_t pid, std::uint64_t need) {
    struct rlimit cur {};
    if (::prlimit(pid, RLIMIT_NOFILE, nullptr, &cur) != 0)
        return std::string("cannot read the open-file limit: ") + std::strerror(errno);
    if (cur.rlim_cur != RLIM_INFINITY && cur.rlim_cur >= need) return {};
    struct rlimit want = cur;
    want.rlim_cur = need;
    if (want.rlim_max != RLIM_INFINITY && want.rlim_max < need) want.rlim_max = need;
    if (::prlimit(pid, RLIMIT_NOFILE, &want, nullptr) == 0) return {};
    int err = errno;
    return "cannot raise the open-file limit from " + std::to_string(cur.rlim_cur) + " (hard " +
           (cur.rlim_max == RLIM_INFINITY ? std::string("unlimited") : std::to_string(cur.rlim_max)) + ") to " +
           std::to_string(need) + ": " + std::strerror(err);
}

}  // namespace

void raise_own_fd_limit(std::uint64_t need) {
    auto err = raise(0, need);
    if (!err.empty())
        throw std::runtime_error(err + "; run as root, or raise it first with `ulimit -n " + std::to_string(need) +
                                 "`, or simulate fewer agents");
}

std::uint64_t own_fd_hard_limit() {
    struct rlimit cur {};
    if (::getrlimit(RLIMIT_NOFILE, &cur) != 0 || cur.rlim_max == RLIM_INFINITY) return UINT64_MAX;
    return cur.rlim_max;
}

std::string raise_fd_limit_of(pid_t pid, std::uint64_t need) { return raise(pid, need); }

}  // namespace telehub::loadgen
