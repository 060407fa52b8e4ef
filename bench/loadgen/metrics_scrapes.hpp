// GET /metrics (or another path: --scrape-path) on a thread of its own during the measured window, one scrape
// at a time every `period` (as a Prometheus server does), recording when each
// ran, how long it took and how many bytes came back. The window then reports
// the ingest latency of the samples that arrived while a scrape was running.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "loadgen/window_report.hpp"

namespace telehub::loadgen {

class MetricsScrapes {
public:
    // `clock_us` gives the time the latency records are stamped with.
    MetricsScrapes(boost::asio::ip::tcp::endpoint hub, std::string path, std::chrono::duration<double> period,
                   std::function<std::int64_t()> clock_us);
    ~MetricsScrapes();  // stop()
    void stop();

    // Time and bytes per scrape, and the latency of the samples received
    // (received_us[i], latency_us[i]) while one was running.
    ScrapeSummary summary(const std::vector<std::int64_t>& received_us, const std::vector<std::int64_t>& latency_us) const;

private:
    struct Scrape {
        std::int64_t start_us = 0, end_us = 0;
        std::uint64_t bytes = 0;
        bool ok = false;
    };
    void run();

    boost::asio::ip::tcp::endpoint hub_;
    std::string path_;
    std::chrono::duration<double> period_;
    std::function<std::int64_t()> clock_us_;
    std::atomic<bool> stop_{false};
    std::vector<Scrape> scrapes_;  // written by the thread until stop()
    std::thread thread_;
};

}  // namespace telehub::loadgen
