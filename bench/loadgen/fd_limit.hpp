// Open-file limits: the load generator holds one descriptor per simulated
// agent and dashboard, and so does the hub, so both usually need more than
// the common default of 1,024.
#pragma once

#include <cstdint>
#include <string>

#include <sys/types.h>

namespace telehub::loadgen {

// Raises this process's RLIMIT_NOFILE soft limit to at least `need` (and the
// hard limit too when allowed). Throws std::runtime_error naming the limits
// and what to do when it cannot.
void raise_own_fd_limit(std::uint64_t need);

// This process's hard RLIMIT_NOFILE (what an unprivileged raise can reach).
std::uint64_t own_fd_hard_limit();

// The same for another process, through prlimit(2). Returns an empty string
// on success, otherwise why not (for a warning: the hub may still cope).
std::string raise_fd_limit_of(pid_t pid, std::uint64_t need);

}  // namespace telehub::loadgen
