// What a full history costs per host, by the hub's own account: feeds the
// host registry the load generator's samples (one per interval, for as many
// points as the history keeps) and reads HistoryRing::memory_bytes back. The
// hub benchmark adds this to the RSS it measures, because filling an hour of
// history over the network would take an hour.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "bench_flags.hpp"
#include "hub/state/state.hpp"
#include "loadgen/sample_factory.hpp"

namespace po = boost::program_options;
using telehub::hub::HostRegistry;
using telehub::hub::RegistryOptions;
using telehub::loadgen::FleetShape;
using telehub::loadgen::SampleFactory;

int main(int argc, char** argv) {
    std::size_t hosts = 20, points = 3600;
    std::uint32_t cores = 8;
    po::options_description desc("hub-history-memory: heap bytes of a full history per host\nOptions");
    desc.add_options()("help,h", "show this help and exit")(
        "hosts", po::value(&hosts)->default_value(hosts), "simulated hosts")(
        "points", po::value(&points)->default_value(points), "history points per host (the hub's --history)")(
        "cores", po::value(&cores)->default_value(cores), "cores per simulated host");
    if (auto status = telehub::bench::parse_flags(argc, argv, desc, "hub-history-memory")) return *status;
    if (hosts == 0 || points == 0 || cores == 0) {
        std::cerr << "hub-history-memory: --hosts, --points and --cores must be at least 1\n";
        return 2;
    }

    FleetShape shape;
    shape.cores = cores;
    SampleFactory factory(shape);
    RegistryOptions ro;
    ro.history_points = points;
    const std::int64_t t0 = 1764000000000;
    std::int64_t now = t0;
    HostRegistry registry(ro, [&now] { return now; });
    auto raw = std::make_shared<const std::string>("{}");

    double insert_s = 0;
    std::vector<std::size_t> bytes;
    for (std::size_t h = 0; h < hosts; ++h) {
        registry.on_hello(factory.hello(h, t0), h + 1);
        auto start = std::chrono::steady_clock::now();
        for (std::size_t tick = 0; tick < points; ++tick) {
            auto s = factory.sample(h, tick);
            // Agents tick on their own clock: a few ms of jitter per sample.
            s.ts_ms = t0 + std::int64_t(tick) * shape.interval_ms + std::int64_t((tick * 7 + h) % 5);
            now = s.ts_ms;
            registry.on_sample(s, raw, h + 1);
        }
        insert_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        bytes.push_back(registry.history_bytes(factory.host_id(h)).value_or(0));
    }
    std::sort(bytes.begin(), bytes.end());
    const double median = double(bytes[bytes.size() / 2]);
    nlohmann::json j{{"tool", "hub-history-memory"},
                     {"hosts", hosts},
                     {"points_per_host", points},
                     {"cores", cores},
                     {"history_bytes_per_host_median", median},
                     {"history_bytes_per_host_max", bytes.back()},
                     {"bytes_per_point", median / double(points)},
                     {"us_per_on_sample", insert_s * 1e6 / double(hosts * points)}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
}
