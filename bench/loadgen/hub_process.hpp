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

class HubProcess {
public:
    // Starts `path --listen 127.0.0.1:PORT` followed by `args`, with stdout
    // and stderr to `output_path`. Throws std::runtime_error when it cannot.
    HubProcess(const std::string& path, const std::vector<std::string>& args, const std::string& output_path);
    ~HubProcess();
    HubProcess(const HubProcess&) = delete;
    HubProcess& operator=(const HubProcess&) = delete;

    pid_t pid() const { return pid_; }
    std::uint16_t port() const { return port_; }
    bool running();
    // SIGTERM, then SIGKILL after `grace`; returns the wait status text.
    std::string stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    bool reaped_ = false;
    int status_ = 0;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_loopback_port();

}  // namespace telehub::loadgen
