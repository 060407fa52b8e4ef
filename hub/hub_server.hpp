// The running hub: io threads, the listener, the once-a-second summaries
// tick, reload on SIGHUP, systemd's readiness and watchdog notifications, and
// graceful shutdown on SIGINT/SIGTERM (stop accepting, close every WebSocket
// with a close frame, wait a bounded time, return).
#pragma once

#include <functional>
#include <memory>

#include "hub/hub_config.hpp"

namespace telehub::hub {

class HubServer {
public:
    // Reads the configuration again (the command line and its --config file)
    // on SIGHUP; throws std::runtime_error naming what is wrong.
    using ConfigReader = std::function<HubConfig()>;

    // Throws std::runtime_error for start-up errors (bad web root, cannot
    // listen). Without `reread` a SIGHUP re-reads only the token files, the
    // credentials files and the certificate.
    explicit HubServer(HubConfig config, ConfigReader reread = {});
    ~HubServer();
    // Serves until a signal; returns the process exit status.
    int run();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace telehub::hub
