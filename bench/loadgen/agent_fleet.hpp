// The simulated agents: one io thread, connections opened at a bounded rate
// (so the hub's accept queue is not overrun), and a pacer that spreads the
// samples evenly over each interval: with N agents, agent j sends at
// period start + j * interval / N.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "loadgen/agent_connection.hpp"

namespace telehub::loadgen {

struct FleetPacing {
    std::chrono::milliseconds interval{1000};
    double connect_rate = 1000;     // new connections per second
    std::size_t max_pending = 256;  // connections between connect() and welcome at once
    // > 0: on average every this many seconds (exponentially spread) one
    // random live agent closes its connection and reconnects.
    double reconnect_every_s = 0;
    std::uint64_t seed = 1;
};

class AgentFleet {
public:
    AgentFleet(FleetShared& shared, FleetPacing pacing);
    ~AgentFleet();
    AgentFleet(const AgentFleet&) = delete;
    AgentFleet& operator=(const AgentFleet&) = delete;

    // Opens connections until there are `n` agents; callable from any thread.
    void grow_to(std::size_t n);
    // Agents whose connection attempt has finished (ready or failed).
    std::size_t settled() const { return settled_.load(std::memory_order_relaxed); }
    // Every agent's state, read on the io thread (blocks until it is).
    std::vector<AgentState> snapshot();
    // Closes every connection and joins the io thread.
    void stop();

private:
    void ramp_tick();
    void pace_tick();
    void arm_pacer();
    void arm_drop();

    FleetShared& shared_;
    FleetPacing pacing_;
    boost::asio::io_context ioc_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    boost::asio::steady_timer ramp_timer_;
    boost::asio::steady_timer pace_timer_;
    boost::asio::steady_timer drop_timer_;
    std::mt19937_64 rng_;
    std::vector<std::shared_ptr<AgentConnection>> agents_;  // io thread only
    std::size_t target_ = 0;                                // io thread only
    std::size_t pending_ = 0;
    double connect_budget_ = 0;
    std::atomic<std::size_t> settled_{0};
    // The pacer's position: which agent is next in the current period.
    std::chrono::steady_clock::time_point period_start_;
    std::chrono::steady_clock::time_point next_tick_;
    std::size_t period_agents_ = 0;
    std::size_t cursor_ = 0;
    bool stopped_ = false;
    std::thread thread_;
};

}  // namespace telehub::loadgen
