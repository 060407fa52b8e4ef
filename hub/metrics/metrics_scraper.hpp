// Builds GET /metrics bodies on a thread of its own. At 10,000 hosts a body
// is tens of megabytes and tens of milliseconds of work: on an io thread that
// would hold up every sample behind it. Scrapes that arrive while a body is
// being built wait for the next one and share it, so two Prometheus servers
// scraping the same hub cost one build, not two.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace telehub::hub {

class MetricsScraper {
public:
    using Build = std::function<std::string()>;
    using Done = std::function<void(std::string body)>;

    // At most `max_waiting` scrapes wait for a body at once (16: a few
    // Prometheus servers and a person with curl); more are refused.
    explicit MetricsScraper(Build build, std::size_t max_waiting = 16);
    ~MetricsScraper();  // stop()
    MetricsScraper(const MetricsScraper&) = delete;
    MetricsScraper& operator=(const MetricsScraper&) = delete;

    // Queues a scrape; `done` runs on the builder thread with the body.
    // False (and `done` dropped) when max_waiting are waiting or it stopped.
    bool request(Done done);

    // Ends the thread; scrapes still waiting are dropped without an answer.
    // Call it while the executors their callbacks post to are alive.
    void stop();

    // Time the newest body took to build (0 before the first).
    double last_build_seconds() const;

private:
    void run();

    Build build_;
    std::size_t max_waiting_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Done> waiting_;
    double last_build_s_ = 0;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace telehub::hub
