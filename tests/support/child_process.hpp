// A program started by a test: stdout and stderr go to a file the test can
// read, and the destructor stops it by its pid (SIGTERM, then SIGKILL after a
// bounded wait), so no test leaves a process behind.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace telehub::test {

class ChildProcess {
public:
    // Starts `argv[0]` (a path) with `argv`; output goes to `log_path`
    // (a temporary file when empty). Throws std::runtime_error if it cannot start.
    explicit ChildProcess(std::vector<std::string> argv, std::string log_path = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    const std::string& log_path() const { return log_path_; }
    std::string output() const;  // everything written so far

    bool running();
    // Sends `sig` and waits up to `timeout` for the exit; returns the wait status.
    std::optional<int> stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Waits for a normal exit; nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::string log_path_;
    bool owns_log_ = false;
};

}  // namespace telehub::test
