#include "loadgen/agent_fleet.hpp"

#include <algorithm>
#include <future>

#include <boost/asio/post.hpp>

namespace telehub::loadgen {
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto ramp_step = std::chrono::milliseconds(10);
// 1 ms keeps each agent within a millisecond of its slot while costing the
// pacer only a thousand wake-ups a second.
constexpr auto pace_step = std::chrono::milliseconds(1);

}  // namespace

AgentFleet::AgentFleet(FleetShared& shared, FleetPacing pacing)
    : shared_(shared), pacing_(pacing), work_(ioc_.get_executor()), ramp_timer_(ioc_), pace_timer_(ioc_), drop_timer_(ioc_), rng_(pacing.seed) {
    net::post(ioc_, [this] {
        period_start_ = Clock::now();
        next_tick_ = period_start_;
        arm_pacer();
        ramp_tick();
        if (pacing_.reconnect_every_s > 0) arm_drop();
    });
    thread_ = std::thread([this] { ioc_.run(); });
}

AgentFleet::~AgentFleet() { stop(); }

void AgentFleet::grow_to(std::size_t n) {
    net::post(ioc_, [this, n] { target_ = std::max(target_, n); });
}

void AgentFleet::ramp_tick() {
    if (stopped_) return;
    double step_s = std::chrono::duration<double>(ramp_step).count();
    // Budget unused while waiting on pending connections is capped at one
    // step so a stall is not followed by a burst.
    connect_budget_ = std::min(connect_budget_ + pacing_.connect_rate * step_s,
                               std::max(1.0, pacing_.connect_rate * step_s));
    while (agents_.size() < target_ && pending_ < pacing_.max_pending && connect_budget_ >= 1) {
        connect_budget_ -= 1;
        ++pending_;
        auto a = std::make_shared<AgentConnection>(ioc_, shared_, agents_.size());
        agents_.push_back(a);
        a->start([this] {
            --pending_;
            settled_.fetch_add(1, std::memory_order_relaxed);
        });
    }
    ramp_timer_.expires_after(ramp_step);
    ramp_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) ramp_tick();
    });
}

void AgentFleet::arm_pacer() {
    next_tick_ += pace_step;
    pace_timer_.expires_at(next_tick_);
    pace_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) pace_tick();
    });
}

void AgentFleet::pace_tick() {
    if (stopped_) return;
    const auto interval = std::chrono::duration_cast<Clock::duration>(pacing_.interval);
    auto now = Clock::now();
    // More than a whole interval behind: the load generator itself cannot
    // keep up. Skip ahead (counted) instead of sending a burst.
    if (now - period_start_ > 2 * interval) {
        shared_.counters.pacer_resets.fetch_add(1, std::memory_order_relaxed);
        period_start_ = now;
        cursor_ = 0;
        period_agents_ = agents_.size();
    }
    if (now - next_tick_ > 100 * pace_step) next_tick_ = now;
    for (;;) {
        auto elapsed = now - period_start_;
        // Paused (the end of a restart run): the ticks pass, no sample is made.
        if (period_agents_ > 0 && !shared_.paused.load(std::memory_order_relaxed)) {
            auto due = std::min<std::size_t>(
                period_agents_, std::size_t(elapsed.count() * double(period_agents_) / double(interval.count())) + 1);
            while (cursor_ < due) agents_[cursor_++]->send_sample();
        }
        if (elapsed < interval) break;
        // Agents added during a period join at the next one.
        period_start_ += interval;
        cursor_ = 0;
        period_agents_ = agents_.size();
    }
    arm_pacer();
}

void AgentFleet::arm_drop() {
    std::exponential_distribution<double> wait(1.0 / pacing_.reconnect_every_s);
    drop_timer_.expires_after(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait(rng_))));
    drop_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopped_) return;
        // Paused: the run is draining the fleet to check the hub; no new churn.
        if (!agents_.empty() && !shared_.paused.load(std::memory_order_relaxed)) {
            // A few tries find a live agent even while some are reconnecting.
            std::uniform_int_distribution<std::size_t> pick(0, agents_.size() - 1);
            for (int i = 0; i < 8 && !agents_[pick(rng_)]->drop(); ++i) {
            }
        }
        arm_drop();
    });
}

std::vector<AgentState> AgentFleet::snapshot() {
    std::promise<std::vector<AgentState>> done;
    auto result = done.get_future();
    net::post(ioc_, [this, &done] {
        std::vector<AgentState> out;
        out.reserve(agents_.size());
        for (const auto& a : agents_) out.push_back(a->state());
        done.set_value(std::move(out));
    });
    return result.get();
}

void AgentFleet::stop() {
    if (!thread_.joinable()) return;
    net::post(ioc_, [this] {
        stopped_ = true;
        ramp_timer_.cancel();
        pace_timer_.cancel();
        drop_timer_.cancel();
        for (auto& a : agents_) a->close();
        work_.reset();
    });
    thread_.join();
    agents_.clear();
}

}  // namespace telehub::loadgen
