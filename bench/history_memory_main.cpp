// history-memory: what one host's hour of history costs in the hub. Fills a
// HistoryRing with a few hours of 1 s samples that move like a busy host's
// (a wandering cpu, jittered timestamps, noisy socket churn, 8 cores), then
// prints the bytes held for a full hour, the packed bytes per point, and the
// time per insert (which includes packing a block every 128 samples).
//
//   history-memory [HOSTS]   (default 200 rings, to average the timing)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "hub/history_block.hpp"
#include "hub/history_ring.hpp"

namespace {

using telehub::hub::HistoryEntry;
using telehub::hub::HistoryRing;

class Host {
public:
    explicit Host(unsigned seed) : rng_(seed) {}
    HistoryEntry next(std::uint64_t seq) {
        static const char* names[] = {"nginx", "postgres", "java", "node", "kworker/0:1"};
        cpu_ = std::clamp(cpu_ + step(3.0), 0.0, 100.0);
        load_ = std::clamp(load_ + step(0.03), 0.0, 64.0);
        est_ = std::max(0, est_ + static_cast<int>(rng_() % 7) - 3);
        tw_ = std::max(0, tw_ + static_cast<int>(rng_() % 5) - 2);
        if (rng_() % 20 == 0) name_ = names[rng_() % std::size(names)];
        HistoryEntry e;
        e.seq = seq;
        e.ts_ms = 1'763'800'000'000 + static_cast<std::int64_t>(seq) * 1000 + static_cast<std::int64_t>(rng_() % 41) - 20;
        e.cpu = cpu_;
        for (int c = 0; c < 8; ++c) e.per_core.push_back(std::clamp(cpu_ + step(15.0), 0.0, 100.0));
        e.load1 = load_;
        e.tcp_established = static_cast<std::uint32_t>(est_);
        e.tcp_listen = 12;
        e.tcp_time_wait = static_cast<std::uint32_t>(tw_);
        e.tcp_close_wait = rng_() % 50 == 0 ? 1 : 0;
        e.udp = 6;
        e.unix_ = 310 + static_cast<std::uint32_t>(rng_() % 3);
        e.top_name = name_;
        e.top_cpu = std::clamp(cpu_ * 2 + step(20.0), 0.0, 800.0);
        e.opens_exact = rng_() % 30;
        e.opened = rng_() % 8;
        e.closed = rng_() % 8;
        return e;
    }

private:
    double step(double max) { return std::uniform_real_distribution<double>(-max, max)(rng_); }
    std::mt19937 rng_;
    double cpu_ = 20, load_ = 1.5;
    int est_ = 120, tw_ = 10;
    std::string name_ = "nginx";
};

}  // namespace

int main(int argc, char** argv) {
    const int hosts = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
    constexpr std::uint64_t samples = 3 * 3600;  // past full, so packing and dropping both run
    std::vector<HistoryEntry> feed;
    Host host(1);
    for (std::uint64_t s = 1; s <= samples; ++s) feed.push_back(host.next(s));

    std::size_t bytes = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int h = 0; h < hosts; ++h) {
        HistoryRing ring(3600);
        for (const auto& e : feed) ring.insert(e);
        bytes = ring.memory_bytes();
    }
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();

    // The codec alone on the same points, 128 at a time as the ring packs them.
    HistoryRing ring(3600);
    for (const auto& e : feed) ring.insert(e);
    std::vector<telehub::hub::HistoryPoint> pts;
    std::size_t packed = 0, points = 0;
    auto cols = ring.columns(0);
    for (std::size_t i = 0; i + 128 <= cols.seq.size(); i += 128) {
        pts.clear();
        for (std::size_t j = i; j < i + 128; ++j) {
            telehub::hub::HistoryPoint p;
            p.ts_offset_ms = static_cast<std::uint32_t>(cols.ts_ms[j] - cols.ts_ms[0]);
            p.seq = static_cast<std::uint32_t>(cols.seq[j]);
            p.cpu_tenths = static_cast<std::uint16_t>(cols.cpu[j] * 10 + 0.5);
            p.load1_hundredths = static_cast<std::uint16_t>(cols.load1[j] * 100 + 0.5);
            p.top_cpu_tenths = static_cast<std::uint16_t>(cols.top_cpu[j] * 10 + 0.5);
            p.tcp_established = static_cast<std::uint16_t>(cols.tcp_established[j]);
            p.tcp_time_wait = static_cast<std::uint16_t>(cols.tcp_time_wait[j]);
            p.tcp_close_wait = static_cast<std::uint16_t>(cols.tcp_close_wait[j]);
            p.udp = static_cast<std::uint16_t>(cols.udp[j]);
            p.unix_ = static_cast<std::uint16_t>(cols.unix_[j]);
            p.opens_exact = static_cast<std::uint16_t>(cols.opens_exact[j]);
            p.opened_sampled = static_cast<std::uint16_t>(cols.opened[j]);
            p.closed_sampled = static_cast<std::uint16_t>(cols.closed[j]);
            pts.push_back(p);
        }
        packed += telehub::hub::encode_block(pts, 0).bytes.size();
        points += pts.size();
    }
    auto c0 = std::chrono::steady_clock::now();
    constexpr int reads = 200;
    std::size_t n = 0;
    for (int r = 0; r < reads; ++r) n += ring.columns(0).seq.size();
    double cols_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - c0).count() / reads;

    std::printf("full hour, 8 cores: %zu bytes/host (memory_bytes)\n", bytes);
    std::printf("packed: %.2f bytes/point (%zu points in 128-point blocks, names not counted)\n",
                points ? static_cast<double>(packed) / static_cast<double>(points) : 0.0, points);
    std::printf("insert: %.3f us/sample over %d hosts x %llu samples\n", us / (static_cast<double>(hosts) * samples), hosts,
                static_cast<unsigned long long>(samples));
    std::printf("columns(0): %.1f us for %zu points\n", cols_us, n / reads);
    return 0;
}
