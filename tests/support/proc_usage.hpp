// What a test reads about another process from /proc: resident memory, open
// descriptors, CPU time. Zero when the process is gone.
#pragma once

#include <cstddef>

#include <sys/types.h>

namespace telehub::test {

std::size_t rss_kb(pid_t pid);
std::size_t open_fds(pid_t pid);
double cpu_seconds(pid_t pid);  // user + system

}  // namespace telehub::test
