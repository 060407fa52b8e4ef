// A hub the load generator starts itself (--spawn-hub): on a free 127.0.0.1
// port, output to a file, stopped by its pid when this object goes away
// (SIGTERM, then SIGKILL after a bounded wait).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

namespace telehub::loadgen {

struct HubSpawn {
    std::uint16_t port = 0;        // 0: a free one
    std::uint64_t fd_limit = 0;    // the child's open-file limit, set before exec (0: inherited)
    bool append_output = false;    // append to the output file instead of truncating it
};

class HubProcess {
public:
    // Starts `path --listen 127.0.0.1:PORT` followed by `args`, with stdout
    // and stderr to `output_path`. Throws std::runtime_error when it cannot.
    HubProcess(const std::string& path, const std::vector<std::string>& args, const std::string& output_path,
               HubSpawn spawn = {});
    ~HubProcess();
    HubProcess(const HubProcess&) = delete;
    HubProcess& operator=(const HubProcess&) = delete;

    pid_t pid() const { return pid_; }
    std::uint16_t port() const { return port_; }
    bool running();
    // SIGTERM, then SIGKILL after `grace`; returns the wait status text.
    std::string stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
    // SIGKILL at once and reap: a crash, as far as the hub's peers can tell.
    std::string kill_now();

private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    bool reaped_ = false;
    int status_ = 0;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_loopback_port();

}  // namespace telehub::loadgen
