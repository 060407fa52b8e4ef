// Lists the numeric entries (process ids) of a /proc root with one held
// directory stream, rewound each pass instead of reopened.
#pragma once

#include <dirent.h>

#include <vector>

namespace telehub::agent {

class ProcessPids {
public:
    // `root_fd` stays owned by the caller; a duplicate is kept open here.
    // ok() is false when it cannot be listed.
    explicit ProcessPids(int root_fd);
    ~ProcessPids();
    ProcessPids(const ProcessPids&) = delete;
    ProcessPids& operator=(const ProcessPids&) = delete;

    bool ok() const { return dir_ != nullptr; }

    // Replaces `out` with the pids present now (reusing its capacity).
    // Thread ids are not listed: /proc shows only thread-group leaders.
    void list(std::vector<int>& out);

private:
    DIR* dir_ = nullptr;
};

}  // namespace telehub::agent
