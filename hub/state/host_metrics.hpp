// What GET /metrics exports of one host: the latest sample's numbers, kept
// by the registry beside the summary so a scrape copies plain values and
// never decodes a frame. Plain data; hub/metrics writes it as text.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "telehub/sample.hpp"

namespace telehub::hub {

// One of a host's top processes by CPU, exported only when the operator asks
// (--metrics-top-processes N): a label per pid is a series per pid.
struct ProcessGauges {
    int pid = 0;
    std::string name;
    double cpu = 0;  // % of one core
    std::uint64_t rss = 0;
    std::uint32_t threads = 0;
};

// Filled from each newest sample (a backfilled older one changes nothing).
struct SampleGauges {
    double cpu = 0;  // busy %, all cores together
    double cpu_user = 0, cpu_system = 0, cpu_iowait = 0, cpu_steal = 0;
    std::array<double, 3> load{};
    std::uint64_t mem_total = 0, mem_available = 0;
    std::uint32_t procs_total = 0, procs_running = 0;
    TcpStateCounts tcp{};
    std::uint32_t udp = 0, unix_ = 0, raw = 0;
    double opens_per_s = 0;  // opens_per_second()
    std::uint32_t leaks = 0;
    std::vector<ProcessGauges> top;  // at most the configured N, empty by default
};

// One host as a scrape sees it.
struct HostMetrics {
    std::string host_id;
    std::string hostname;
    bool online = false;
    bool has_sample = false;  // false: hello only, the gauges are not real values yet
    std::int64_t last_seen_ms = 0;
    std::uint64_t gaps = 0;
    std::size_t history_bytes = 0;
    SampleGauges gauges;
};

// TCP opens per second when the agent's kernel counters were exact, else the
// sampled sum of sockets opened per second.
double opens_per_second(const Sample& s);

// Copies what the exposition needs; `top_n` processes at most.
void fill_sample_gauges(SampleGauges& out, const Sample& s, std::size_t top_n);

}  // namespace telehub::hub
