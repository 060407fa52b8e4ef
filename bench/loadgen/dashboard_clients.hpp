// Simulated dashboards on /ws/live, on an io thread of their own so that
// latency is timed by a thread the agents' sending does not hold up. Client
// 0 subscribes in detail to the watched hosts; every client counts the
// summaries frames it gets. Everything is recorded with receipt times so
// the main thread can cut out any window afterwards.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "loadgen/fleet_counters.hpp"

namespace telehub::loadgen {

struct LatencyPoint {
    std::int64_t received_us = 0;  // system clock
    std::int64_t latency_us = 0;   // send to receipt
};

struct ClientLog {
    std::vector<std::int64_t> summaries_us;  // receipt time of each summaries set's last frame
    std::uint64_t frames = 0;
    std::uint64_t bytes = 0;
    std::uint64_t snapshots = 0;
    std::uint64_t detail_samples = 0;
    std::uint64_t error_frames = 0;
    bool connected = false;
    bool lost = false;  // was connected, then the connection ended
};

// What all dashboards have seen; guarded by its mutex.
struct LiveRecord {
    std::mutex mu;
    std::vector<ClientLog> clients;
    std::vector<LatencyPoint> latency;
    std::uint64_t unmatched_samples = 0;  // a detail sample whose send time was no longer known
};

class DashboardClients {
public:
    // `detail_hosts`: host ids client 0 subscribes to in detail.
    DashboardClients(boost::asio::ip::tcp::endpoint hub, std::size_t count, std::vector<std::string> detail_hosts,
                     const SendTimes& send_times, ErrorTally& errors);
    ~DashboardClients();
    DashboardClients(const DashboardClients&) = delete;
    DashboardClients& operator=(const DashboardClients&) = delete;

    LiveRecord& record() { return record_; }
    std::size_t subscribed() const { return subscribed_.load(); }  // clients connected (and subscribed, for client 0)
    void stop();

    class Client;

private:
    boost::asio::io_context ioc_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    LiveRecord record_;
    std::atomic<std::size_t> subscribed_{0};
    std::vector<std::shared_ptr<Client>> clients_;
    std::thread thread_;
};

}  // namespace telehub::loadgen
