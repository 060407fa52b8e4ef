// A one-shot HTTP GET with a deadline, for the hub's REST counters and
// /healthz. Runs on its own io_context on the calling thread, so it never
// competes with the simulated agents' event loop.
#pragma once

#include <chrono>
#include <string>

#include <boost/asio/ip/tcp.hpp>

namespace telehub::loadgen {

struct HttpResult {
    int status = 0;      // 0 when no response arrived
    std::string body;
    std::string error;   // why there is no response
};

HttpResult http_get(const boost::asio::ip::tcp::endpoint& hub, const std::string& target,
                    std::chrono::milliseconds timeout);

}  // namespace telehub::loadgen
