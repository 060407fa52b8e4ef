// What the process scan learns about each live process, shared with the
// socket collectors so /proc is listed once per tick.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace telehub::agent {

struct ProcessEntry {
    int pid = 0;
    std::uint64_t starttime = 0;  // clock ticks after boot; (pid, starttime) names a process
    std::uint32_t uid = 0;        // real uid, from /proc/PID/status
    std::string name;             // comm
    bool kernel_thread = false;   // PF_KTHREAD: has no fds and no user memory
    bool is_new = false;          // first seen this tick (or its pid was reused)
};

using ProcessList = std::vector<ProcessEntry>;

}  // namespace telehub::agent
