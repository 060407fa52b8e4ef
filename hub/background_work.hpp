// The hub's one thread for work too big for an io thread that a client waits
// for: a dashboard's snapshot, the long REST replies (megabytes at 10,000
// hosts; a 30-day history is about 40 ms to build). One thread, so this work
// never takes more than one core from the io threads; two queues, so a
// person opening a dashboard waits for at most the one job in progress, not
// for every history a script has queued before it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace telehub::hub {

class BackgroundWork {
public:
    enum class Priority {
        interactive,  // a dashboard's snapshot: taken first
        bulk,         // REST replies built for scripts and pages
    };

    BackgroundWork();
    ~BackgroundWork();  // join()
    BackgroundWork(const BackgroundWork&) = delete;
    BackgroundWork& operator=(const BackgroundWork&) = delete;

    // Queues `job`; after join() it is dropped unrun.
    void post(Priority priority, std::function<void()> job);
    // Runs what is queued, interactive first, then ends the thread. The
    // jobs check HubContext::stopping themselves, so at a stop they return
    // at once.
    void join();

    // Jobs waiting (not the one running), for tests.
    std::size_t queued(Priority priority) const;

private:
    void run();

    mutable std::mutex mu_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> interactive_;
    std::deque<std::function<void()>> bulk_;
    bool joining_ = false;
    std::thread thread_;
};

}  // namespace telehub::hub
