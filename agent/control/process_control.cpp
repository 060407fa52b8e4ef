#include "agent/control/process_control.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <unistd.h>

extern char** environ;

namespace telehub::agent {

namespace {

constexpr std::pair<int, const char*> signal_names[] = {
    {SIGHUP, "SIGHUP"},     {SIGINT, "SIGINT"},       {SIGQUIT, "SIGQUIT"},   {SIGILL, "SIGILL"},
    {SIGTRAP, "SIGTRAP"},   {SIGABRT, "SIGABRT"},     {SIGBUS, "SIGBUS"},     {SIGFPE, "SIGFPE"},
    {SIGKILL, "SIGKILL"},   {SIGUSR1, "SIGUSR1"},     {SIGSEGV, "SIGSEGV"},   {SIGUSR2, "SIGUSR2"},
    {SIGPIPE, "SIGPIPE"},   {SIGALRM, "SIGALRM"},     {SIGTERM, "SIGTERM"},   {SIGCHLD, "SIGCHLD"},
    {SIGCONT, "SIGCONT"},   {SIGSTOP, "SIGSTOP"},     {SIGTSTP, "SIGTSTP"},   {SIGTTIN, "SIGTTIN"},
    {SIGTTOU, "SIGTTOU"},   {SIGURG, "SIGURG"},       {SIGXCPU, "SIGXCPU"},   {SIGXFSZ, "SIGXFSZ"},
    {SIGVTALRM, "SIGVTALRM"}, {SIGPROF, "SIGPROF"},   {SIGWINCH, "SIGWINCH"}, {SIGIO, "SIGIO"},
    {SIGPWR, "SIGPWR"},     {SIGSYS, "SIGSYS"},
#ifdef SIGSTKFLT
    {SIGSTKFLT, "SIGSTKFLT"},
#endif
};

CommandFailure os_failure(int err, const Target& t, const char* what) {
    const std::string who = "pid " + std::to_string(t.pid) + " (" + t.name + ")";
    if (err == ESRCH) return {"no_such_process", "no process " + std::to_string(t.pid) + " (it exited)"};
    if (err == EPERM || err == EACCES)
        return {"permission_denied", std::string(what) + " " + who + ": " + std::strerror(err)};
    return {"internal", std::string(what) + " " + who + ": " + std::strerror(err)};
}

// posix_spawn's attributes and file actions, released on every path.
struct SpawnSetup {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    SpawnSetup() {
        ::posix_spawnattr_init(&attr);
        ::posix_spawn_file_actions_init(&actions);
    }
    ~SpawnSetup() {
        ::posix_spawn_file_actions_destroy(&actions);
        ::posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

std::string signal_name(int sig) {
    for (auto [n, name] : signal_names)
        if (n == sig) return name;
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) return sig == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(sig - SIGRTMIN);
    return "SIG" + std::to_string(sig);
}

CommandOutcome signal_process(const Target& t, int sig) {
    if (::kill(t.pid, sig) != 0) return os_failure(errno, t, "kill");
    std::string sname = signal_name(sig);
    nlohmann::json r{{"pid", t.pid}, {"name", t.name}, {"signal", sig}, {"signal_name", sname}};
    return CommandOk{std::move(r), "pid " + std::to_string(t.pid) + " (" + t.name + ") " + sname};
}

CommandOutcome renice_process(const Target& t, int priority) {
    errno = 0;
    int previous = ::getpriority(PRIO_PROCESS, static_cast<id_t>(t.pid));
    if (previous == -1 && errno != 0) return os_failure(errno, t, "getpriority");
    if (::setpriority(PRIO_PROCESS, static_cast<id_t>(t.pid), priority) != 0)
        return os_failure(errno, t, "setpriority");
    nlohmann::json r{{"pid", t.pid}, {"name", t.name}, {"nice", priority}, {"previous", previous}};
    return CommandOk{std::move(r), "pid " + std::to_string(t.pid) + " (" + t.name + ") nice " +
                                       std::to_string(previous) + " -> " + std::to_string(priority)};
}

CommandOutcome spawn_program(const std::string& cmd, const std::vector<std::string>& args) {
    SpawnSetup s;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    ::posix_spawnattr_setsigmask(&s.attr, &none);
    // Ignored signals (SIGPIPE, for the agent's sockets) stay ignored across exec unless reset.
    ::posix_spawnattr_setsigdefault(&s.attr, &all);
    ::posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    ::posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_addopen(&s.actions, 1, "/dev/null", O_WRONLY, 0);
    ::posix_spawn_file_actions_adddup2(&s.actions, 1, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    // Not every fd of the agent is opened close-on-exec: the hub connection must not leak into the program.
    ::posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);
#endif

    std::vector<char*> argv;
    argv.reserve(args.size() + 2);
    argv.push_back(const_cast<char*>(cmd.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    pid_t pid = -1;
    // glibc reports a failed exec (ENOENT, EACCES, ENOEXEC) as the return value and reaps that child itself.
    int err = ::posix_spawnp(&pid, cmd.c_str(), &s.actions, &s.attr, argv.data(), environ);
    if (err == ENOENT) return CommandFailure{"no_such_program", "no program '" + cmd + "' (not found in PATH)"};
    if (err != 0) return CommandFailure{"exec_failed", "cannot start '" + cmd + "': " + std::strerror(err)};
    nlohmann::json r{{"pid", pid}, {"cmd", cmd}, {"args", args}};
    return CommandOk{std::move(r), "started pid " + std::to_string(pid)};
}

}  // namespace telehub::agent
