#include "agent/collect/proc/process_pids.hpp"

#include <charconv>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace telehub::agent {

ProcessPids::ProcessPids(int root_fd) {
    int fd = ::openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    dir_ = ::fdopendir(fd);
    if (dir_ == nullptr) ::close(fd);
}

ProcessPids::~ProcessPids() {
    if (dir_ != nullptr) ::closedir(dir_);
}

void ProcessPids::list(std::vector<int>& out) {
    out.clear();
    if (dir_ == nullptr) return;
    // procfs regenerates its listing on every read from offset 0.
    ::rewinddir(dir_);
    while (dirent* e = ::readdir(dir_)) {
        const char* name = e->d_name;
        if (name[0] < '1' || name[0] > '9') continue;
        int pid = 0;
        const char* end = name + std::strlen(name);
        auto [p, ec] = std::from_chars(name, end, pid);
        if (ec == std::errc{} && p == end) out.push_back(pid);
    }
}

}  // namespace telehub::agent
