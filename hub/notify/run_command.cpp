#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "hub/notify/senders.hpp"

// GCC 12 takes the coroutine frame's sized delete in Asio's awaitable for a
// mismatch (GCC bug 105385 family); Asio allocates and frees it in pairs.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

extern char** environ;

namespace telehub::hub {
namespace {

namespace net = boost::asio;
using namespace net::experimental::awaitable_operators;

/* how often a running command is checked for having exited */
constexpr auto exit_poll = std::chrono::milliseconds(20);
/* the stderr kept for the error message */
constexpr std::size_t stderr_kept = 4096;

struct Pipe {
    int fd[2] = {-1, -1};
    ~Pipe() {
        for (int f : fd)
            if (f >= 0) ::close(f);
    }
    int take(int i) { return std::exchange(fd[i], -1); }
};

// Kills and reaps the command if the coroutine ends before it did: the
// notifier stopping with a command still running must not leave it behind.
struct ChildGuard {
    pid_t pid = -1;
    ~ChildGuard() {
        if (pid <= 0) return;
        ::kill(-pid, SIGKILL);
        int ignored = 0;
        while (::waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
        }
    }
};

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::string last_line(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (auto nl = s.rfind('\n'); nl != std::string::npos) s.erase(0, nl + 1);
    return s;
}

// Writes `input`, then closes stdin; a command that exits without reading it is not an error here.
net::awaitable<void> feed(net::posix::stream_descriptor& in, const std::string& input) {
    boost::system::error_code ec;
    co_await net::async_write(in, net::buffer(input), net::redirect_error(net::use_awaitable, ec));
    in.close(ec);
}

net::awaitable<void> drain(net::posix::stream_descriptor& err, std::string& kept) {
    char buf[1024];
    for (;;) {
        boost::system::error_code ec;
        std::size_t n = co_await err.async_read_some(net::buffer(buf), net::redirect_error(net::use_awaitable, ec));
        kept.append(buf, n);
        if (kept.size() > stderr_kept) kept.erase(0, kept.size() - stderr_kept);
        if (ec) co_return;
    }
}

// The exit status, or nullopt past `deadline` (the caller kills it).
net::awaitable<std::optional<int>> reap(pid_t pid, std::chrono::steady_clock::time_point deadline) {
    net::steady_timer timer(co_await net::this_coro::executor);
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) co_return status;
        if (r < 0 && errno != EINTR) co_return -1;
        if (std::chrono::steady_clock::now() >= deadline) co_return std::nullopt;
        timer.expires_after(exit_poll);
        boost::system::error_code ec;
        co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
    }
}

}  // namespace

net::awaitable<std::string> run_command(std::vector<std::string> argv, std::string input, std::chrono::milliseconds timeout) {
    auto ex = co_await net::this_coro::executor;
    Pipe in, err;
    if (::pipe2(in.fd, O_CLOEXEC) != 0 || ::pipe2(err.fd, O_CLOEXEC) != 0) co_return errno_text("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawnattr_init(&attr);
    ::posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
    ::posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    ::posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
    // Its own process group, so a timeout kills what it started too; the
    // notifier thread blocks SIGPIPE, the command gets the defaults back.
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    ::posix_spawnattr_setsigmask(&attr, &none);
    ::posix_spawnattr_setsigdefault(&attr, &defaults);
    ::posix_spawnattr_setpgroup(&attr, 0);
    ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attr);
    if (spawned != 0) co_return "cannot start " + argv[0] + ": " + std::strerror(spawned);
    ChildGuard guard{pid};
    ::close(in.take(0));
    ::close(err.take(1));
    net::posix::stream_descriptor to_child(ex, in.take(1)), from_child(ex, err.take(0));
    std::string stderr_text;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    net::steady_timer limit(ex, deadline);
    // Input and stderr until the command closes them or the time is up.
    auto io = [&]() -> net::awaitable<void> {
        co_await (feed(to_child, input) && drain(from_child, stderr_text));
    };
    boost::system::error_code ec;
    co_await (io() || limit.async_wait(net::redirect_error(net::use_awaitable, ec)));
    std::optional<int> status = co_await reap(pid, deadline);
    if (!status) co_return "killed after its timeout of " + std::to_string(timeout.count()) + " ms";  // by the guard
    guard.pid = -1;  // reaped
    std::string tail = last_line(stderr_text);
    if (*status == -1) co_return "lost track of the command (waitpid failed)";
    if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) co_return std::string();
    std::string why = WIFEXITED(*status) ? "exited with status " + std::to_string(WEXITSTATUS(*status))
                                         : "killed by signal " + std::to_string(WTERMSIG(*status));
    co_return why + (tail.empty() ? "" : ": " + tail);
}

}  // namespace telehub::hub
