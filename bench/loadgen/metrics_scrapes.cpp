#include "loadgen/metrics_scrapes.hpp"

#include <algorithm>

#include "loadgen/http_get.hpp"

namespace telehub::loadgen {

MetricsScrapes::MetricsScrapes(boost::asio::ip::tcp::endpoint hub, std::string path, std::chrono::duration<double> period,
                               std::function<std::int64_t()> clock_us)
    : hub_(hub), path_(std::move(path)), period_(period), clock_us_(std::move(clock_us)), thread_([this] { run(); }) {}

MetricsScrapes::~MetricsScrapes() { stop(); }

void MetricsScrapes::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void MetricsScrapes::run() {
    auto next = std::chrono::steady_clock::now();
    while (!stop_) {
        Scrape s;
        s.start_us = clock_us_();
        auto r = http_get(hub_, path_, std::chrono::seconds(30));
        s.end_us = clock_us_();
        s.ok = r.status == 200;
        s.bytes = r.body.size();
        scrapes_.push_back(s);
        next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(period_);
        // Short naps so stop() is prompt; the pacing itself is the period.
        while (!stop_ && std::chrono::steady_clock::now() < next) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

ScrapeSummary MetricsScrapes::summary(const std::vector<std::int64_t>& received_us,
                                      const std::vector<std::int64_t>& latency_us) const {
    ScrapeSummary out;
    std::vector<double> ms;
    for (const auto& s : scrapes_) {
        ++out.count;
        if (!s.ok) {
            ++out.failed;
            continue;
        }
        ms.push_back(double(s.end_us - s.start_us) / 1000.0);
        out.bytes = s.bytes;
    }
    if (!ms.empty()) {
        std::sort(ms.begin(), ms.end());
        out.ms_median = ms[ms.size() / 2];
        out.ms_max = ms.back();
    }
    std::vector<std::int64_t> at, lat;
    for (std::size_t i = 0; i < received_us.size(); ++i)
        for (const auto& s : scrapes_)
            if (received_us[i] >= s.start_us && received_us[i] <= s.end_us) {
                at.push_back(received_us[i]);
                lat.push_back(latency_us[i]);
                break;
            }
    out.latency_during = summarize_latency(at, lat, at.empty() ? 0 : at.front());
    return out;
}

}  // namespace telehub::loadgen
