// What the cluster tests share: a redis-server of their own on a loopback
// port, hubs joined to it, and reads of the fleet as a hub lists it.
#pragma once

#include <csignal>
#include <filesystem>
#include <fstream>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/integration/hub_harness.hpp"

namespace telehub::test {


// True when something on 127.0.0.1:`port` answers PING with +PONG.
inline bool redis_answers(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::write(fd, "PING\r\n", 6) == 6) {
        char buf[16] = {};
        ok = ::read(fd, buf, sizeof buf - 1) >= 5 && std::string(buf).rfind("+PONG", 0) == 0;
    }
    ::close(fd);
    return ok;
}

// redis-server in the foreground on 127.0.0.1:`port`, nothing saved;
// `extra` arguments (a TLS port, say) after the test's own.
struct RedisServer {
    TempDir dir{"telehub-redis"};
    std::uint16_t port;
    std::vector<std::string> extra;
    std::unique_ptr<ChildProcess> proc;

    explicit RedisServer(std::uint16_t p = free_port(), std::vector<std::string> more = {})
        : port(p), extra(std::move(more)) {
        start();
    }
    void start() {
        std::vector<std::string> argv{"/usr/bin/redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", dir.str(), "--daemonize", "no"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        proc = std::make_unique<ChildProcess>(argv);
        if (!wait_until([&] { return redis_answers(port); }, 10s, 50ms))
            throw std::runtime_error("redis-server did not come up: " + proc->output());
    }
    void kill() { proc->stop(SIGKILL); }
};

inline std::vector<std::string> cluster_args(const RedisServer& r, const std::string& name) {
    return {"--quiet", "--no-persist", "--cluster", "redis://127.0.0.1:" + std::to_string(r.port), "--hub-name", name};
}

// The row of `id` in `hub`'s GET /api/hosts[query], or null.
inline nlohmann::json row_of(const HubProcess& hub, const std::string& id, const std::string& query = "") {
    auto j = hub.get_json("/api/hosts" + query);
    if (!j.is_object()) return nullptr;
    for (auto& h : j["hosts"])
        if (h["host_id"] == id) return h;
    return nullptr;
}

inline bool online_on(const HubProcess& hub, const std::string& id, const std::string& held_by) {
    auto r = row_of(hub, id);
    return r.is_object() && r["online"] == true && r.value("hub", "") == held_by;
}

// True once every thread of `pid` is in group stop ('T' in its stat line).
// kill(SIGSTOP) returns before that: a thread already running keeps running
// until it next enters the kernel, long enough on a busy VM to answer a
// request the test sends right after.
inline bool all_threads_stopped(pid_t pid) {
    std::error_code ec;
    bool any = false;
    for (auto& t : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::ifstream in(t.path() / "stat");
        std::string line;
        std::getline(in, line);
        const auto close = line.rfind(')');
        if (close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'T') return false;
        any = true;
    }
    return any;
}

inline std::string cluster_state(const HubProcess& hub) {
    auto j = hub.get_json("/healthz");
    return j.is_object() && j.contains("cluster") ? j["cluster"].value("state", "") : "";
}

}  // namespace telehub::test
