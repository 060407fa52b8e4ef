#include "tests/support/child_process.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace telehub::test {

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string log_path) : log_path_(std::move(log_path)) {
    if (argv.empty()) throw std::runtime_error("ChildProcess: empty argv");
    if (log_path_.empty()) {
        char tmpl[] = "/tmp/telehub-test-XXXXXX.log";
        int fd = mkstemps(tmpl, 4);
        if (fd < 0) throw std::runtime_error("ChildProcess: cannot create a log file");
        ::close(fd);
        log_path_ = tmpl;
        owns_log_ = true;
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("ChildProcess: fork failed");
    if (pid_ == 0) {
        int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::execv(args[0], args.data());
        std::_Exit(127);
    }
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !status_) {
        if (!stop(SIGTERM, std::chrono::seconds(3))) stop(SIGKILL, std::chrono::seconds(3));
    }
    // A log this object made is this object's to remove; one the caller named is the caller's.
    if (owns_log_) ::unlink(log_path_.c_str());
}

std::string ChildProcess::output() const {
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

namespace {

// Under scripts/test --sanitize every sanitized program exits with TELEHUB_SANITIZER_EXITCODE at
// its first report. A child is often stopped by the destructor, where no test looks at the status,
// so the report would pass unseen: this ends the test process instead, with the child's log.
void fail_on_sanitizer_exit(pid_t pid, int status, const std::string& log) {
    const char* code = std::getenv("TELEHUB_SANITIZER_EXITCODE");
    if (!code || !WIFEXITED(status) || WEXITSTATUS(status) != std::atoi(code)) return;
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    std::fprintf(stderr, "child %d exited with the sanitizer exit code %s; its output:\n%s\n", int(pid), code,
                 ss.str().c_str());
    std::abort();
}

}  // namespace

bool ChildProcess::running() {
    if (status_) return false;
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        status_ = st;
        fail_on_sanitizer_exit(pid_, st, log_path_);
        return false;
    }
    return r == 0;
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return status_;
}

std::optional<int> ChildProcess::stop(int sig, std::chrono::milliseconds timeout) {
    if (!running()) return status_;
    ::kill(pid_, sig);
    return wait(timeout);
}

}  // namespace telehub::test
