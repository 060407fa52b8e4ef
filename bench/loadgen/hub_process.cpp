#include "loadgen/hub_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace telehub::loadgen {

std::uint16_t free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("cannot open a socket to find a free port: ") + std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        int err = errno;
        ::close(fd);
        throw std::runtime_error(std::string("cannot find a free port on 127.0.0.1: ") + std::strerror(err));
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

HubProcess::HubProcess(const std::string& path, const std::vector<std::string>& args, const std::string& output_path,
                       HubSpawn spawn) {
    if (::access(path.c_str(), X_OK) != 0)
        throw std::runtime_error("--spawn-hub " + path + ": not an executable file (build the telehub target first)");
    port_ = spawn.port ? spawn.port : free_loopback_port();
    std::vector<std::string> argv{path, "--listen", "127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    int out = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (spawn.append_output ? O_APPEND : O_TRUNC),
                     0644);
    if (out < 0) throw std::runtime_error("cannot open hub output file " + output_path + ": " + std::strerror(errno));
    pid_ = ::fork();
    if (pid_ < 0) {
        ::close(out);
        throw std::runtime_error(std::string("cannot fork the hub: ") + std::strerror(errno));
    }
    if (pid_ == 0) {
        if (spawn.fd_limit) {
            // Before exec, so no connection can find the hub at a lower limit.
            struct rlimit r {};
            if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY && r.rlim_cur < spawn.fd_limit) {
                r.rlim_cur = spawn.fd_limit;
                if (r.rlim_max != RLIM_INFINITY && r.rlim_max < spawn.fd_limit) r.rlim_max = spawn.fd_limit;
                ::setrlimit(RLIMIT_NOFILE, &r);
            }
        }
        ::dup2(out, 1);
        ::dup2(out, 2);
        ::execv(path.c_str(), cargv.data());
        ::_exit(127);
    }
    ::close(out);
}

HubProcess::~HubProcess() { stop(); }

bool HubProcess::running() {
    if (reaped_ || pid_ <= 0) return false;
    pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) reaped_ = true;
    return !reaped_;
}

std::string HubProcess::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) return "not started";
    if (running()) {
        ::kill(pid_, SIGTERM);
        auto deadline = std::chrono::steady_clock::now() + grace;
        while (running() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (running()) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status_, 0);
            reaped_ = true;
            return "killed after " + std::to_string(grace.count()) + " ms";
        }
    }
    if (WIFEXITED(status_)) return "exit status " + std::to_string(WEXITSTATUS(status_));
    if (WIFSIGNALED(status_)) return "signal " + std::to_string(WTERMSIG(status_));
    return "stopped";
}

std::string HubProcess::kill_now() {
    if (pid_ <= 0) return "not started";
    if (running()) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status_, 0);
        reaped_ = true;
    }
    if (WIFSIGNALED(status_)) return "signal " + std::to_string(WTERMSIG(status_));
    if (WIFEXITED(status_)) return "exit status " + std::to_string(WEXITSTATUS(status_));
    return "stopped";
}

}  // namespace telehub::loadgen
