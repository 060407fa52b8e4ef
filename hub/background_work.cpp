#include "hub/background_work.hpp"

#include <utility>

namespace telehub::hub {

BackgroundWork::BackgroundWork() : thread_([this] { run(); }) {}

BackgroundWork::~BackgroundWork() { join(); }

void BackgroundWork::post(Priority priority, std::function<void()> job) {
    {
        std::lock_guard lock(mu_);
        if (joining_) return;
        (priority == Priority::interactive ? interactive_ : bulk_).push_back(std::move(job));
    }
    ready_.notify_one();
}

void BackgroundWork::join() {
    {
        std::lock_guard lock(mu_);
        joining_ = true;
    }
    ready_.notify_one();
    if (thread_.joinable()) thread_.join();
}

std::size_t BackgroundWork::queued(Priority priority) const {
    std::lock_guard lock(mu_);
    return (priority == Priority::interactive ? interactive_ : bulk_).size();
}

void BackgroundWork::run() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mu_);
            ready_.wait(lock, [this] { return joining_ || !interactive_.empty() || !bulk_.empty(); });
            auto& from = !interactive_.empty() ? interactive_ : bulk_;
            if (from.empty()) return;  // joining, and nothing is left
            job = std::move(from.front());
            from.pop_front();
        }
        job();
    }
}

}  // namespace telehub::hub
