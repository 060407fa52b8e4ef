// One measured window: what was sent, what the hub counted, latency and
// summaries at the dashboards, the hub's CPU and memory; whether the hub kept
// up; and the human table and JSON that report it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace telehub::loadgen {

struct LatencySummary {
    std::size_t count = 0;
    double p50_ms = 0, p99_ms = 0, max_ms = 0;
    double p99_first_half_ms = 0, p99_second_half_ms = 0;
};

// Nearest-rank percentiles of `latency_us` split at `split_us` of `received_us`.
LatencySummary summarize_latency(const std::vector<std::int64_t>& received_us,
                                 const std::vector<std::int64_t>& latency_us, std::int64_t split_us);

// GET /metrics during the window (--scrape-metrics).
struct ScrapeSummary {
    std::size_t count = 0;
    std::size_t failed = 0;
    double ms_median = 0, ms_max = 0;  // request to the last byte of the body
    std::uint64_t bytes = 0;           // of the last body
    LatencySummary latency_during;     // samples that reached the dashboard while a scrape ran
};

struct WindowResult {
    std::size_t agents = 0;            // asked for
    std::size_t agents_welcomed = 0;   // connected and welcomed by the hub
    std::uint64_t connect_failures = 0;
    std::uint64_t disconnects = 0;
    double window_s = 0;
    std::uint32_t interval_ms = 1000;
    std::uint64_t sent = 0;
    std::uint64_t blocked = 0;         // due but not sent: the previous write was still pending
    std::optional<std::uint64_t> hub_counted;
    double mean_frame_bytes = 0;
    LatencySummary latency;
    std::size_t detail_hosts = 0;
    std::vector<double> summaries_per_s;  // per dashboard client
    std::optional<double> hub_cpu_percent;  // of one core
    std::optional<double> hub_cpu_us_per_sample;
    std::optional<double> hub_rss_mb;
    std::optional<std::uint64_t> hub_history_bytes;   // GET /api/stats at the window's end
    std::optional<std::uint64_t> hub_history_points;
    std::optional<std::uint64_t> hub_store_bytes;       // in the window: history handed to the hub's store (packed)
    std::optional<std::uint64_t> hub_disk_write_bytes;  // in the window: /proc/PID/io write_bytes of the hub
    double loadgen_cpu_percent = 0;
    std::uint64_t pacer_resets = 0;    // in the window: the load generator fell an interval behind
    std::optional<ScrapeSummary> scrapes;
    bool keeps_up = false;
    std::string verdict;  // why not, or "keeps up"
};

// Sets keeps_up and verdict: the hub counted >= 99% of the samples due,
// every agent connected, latency p99 under one interval and not growing
// from the first half of the window to the second, every dashboard got its
// summaries (>= 0.8 a second at a 1 s interval).
void judge(WindowResult& r);

std::string table_header();
std::string table_row(const WindowResult& r);
nlohmann::json to_json(const WindowResult& r);

}  // namespace telehub::loadgen
