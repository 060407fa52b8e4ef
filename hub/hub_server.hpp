// The running hub: io threads, the listener, the once-a-second summaries
// tick, and graceful shutdown on SIGINT/SIGTERM (stop accepting, close every
// WebSocket with a close frame, wait a bounded time, return).
#pragma once

#include <memory>

#include "hub/hub_config.hpp"

namespace telehub::hub {

class HubServer {
public:
    // Throws std::runtime_error for start-up errors (bad web root, cannot listen).
    explicit HubServer(HubConfig config);
    ~HubServer();
    // Serves until a signal; returns the process exit status.
    int run();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace telehub::hub
