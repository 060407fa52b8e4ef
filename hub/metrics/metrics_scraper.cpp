#include "hub/metrics/metrics_scraper.hpp"

#include <chrono>

namespace telehub::hub {

MetricsScraper::MetricsScraper(Build build, std::size_t max_waiting)
    : build_(std::move(build)), max_waiting_(max_waiting), worker_([this] { run(); }) {}

MetricsScraper::~MetricsScraper() { stop(); }

bool MetricsScraper::request(Done done) {
    {
        std::lock_guard lock(mu_);
        if (stopping_ || waiting_.size() >= max_waiting_) return false;
        waiting_.push_back(std::move(done));
    }
    cv_.notify_one();
    return true;
}

void MetricsScraper::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (worker_.joinable()) worker_.join();
    std::lock_guard lock(mu_);
    waiting_.clear();
}

double MetricsScraper::last_build_seconds() const {
    std::lock_guard lock(mu_);
    return last_build_s_;
}

void MetricsScraper::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        cv_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
        if (stopping_) return;
        auto batch = std::move(waiting_);
        waiting_.clear();
        lock.unlock();
        const auto start = std::chrono::steady_clock::now();
        std::string body = build_();
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        // Every waiter but the last gets a copy, made here rather than on an io thread.
        for (std::size_t i = 0; i + 1 < batch.size(); ++i) batch[i](body);
        batch.back()(std::move(body));
        batch.clear();  // the callbacks' captures go here, not under the lock
        lock.lock();
        last_build_s_ = took.count();
    }
}

}  // namespace telehub::hub
