// A hub data directory holding a fleet's history, made the way the hub makes
// it: the load generator's samples go through the host registry (batches of
// 64 points) into the history store, host after host tick by tick, ending
// now. The hub benchmark then starts telehub on it to time the restart, and
// reads the file's size for the disk a host costs an hour; streaming an hour
// over the network first would take an hour.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "bench_flags.hpp"
#include "hub/state/state.hpp"
#include "hub/store/store.hpp"
#include "loadgen/sample_factory.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace telehub::hub;
using telehub::loadgen::FleetShape;
using telehub::loadgen::SampleFactory;

int main(int argc, char** argv) {
    std::size_t hosts = 100, points = 3600;
    std::string dir;
    po::options_description desc("hub-store-fill: a data directory with a fleet's history\nOptions");
    desc.add_options()("help,h", "show this help and exit")(
        "hosts", po::value(&hosts)->default_value(hosts), "simulated hosts")(
        "points", po::value(&points)->default_value(points), "one-second points per host, ending now")(
        "data-dir", po::value(&dir), "the directory to write history.db into (made if missing)");
    if (auto status = telehub::bench::parse_flags(argc, argv, desc, "hub-store-fill")) return *status;
    if (dir.empty() || hosts == 0 || points == 0) {
        std::cerr << "hub-store-fill: give --data-dir, and --hosts and --points of at least 1\n";
        return 2;
    }
    try {
        fs::create_directories(dir);
        const auto path = (fs::path(dir) / "history.db").string();
        SampleFactory factory{FleetShape{}};
        const std::int64_t end = HostRegistry::system_clock_ms();
        const std::int64_t t0 = end - std::int64_t(points) * 1000;
        std::int64_t now = t0;
        RegistryOptions ro;
        ro.save_batch_points = 64;
        HostRegistry registry(ro, [&now] { return now; });
        HistoryStore store({.path = path});
        store.start([&now] { return now; });
        auto raw = std::make_shared<const std::string>("{}");
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t h = 0; h < hosts; ++h) registry.on_hello(factory.hello(h, t0), h + 1);
        for (std::size_t tick = 0; tick < points; ++tick) {
            now = t0 + std::int64_t(tick) * 1000;
            for (std::size_t h = 0; h < hosts; ++h) {
                auto s = factory.sample(h, tick);
                s.seq = tick + 1;
                s.ts_ms = now + std::int64_t((tick * 7 + h) % 5);
                auto out = registry.on_sample(s, raw, h + 1);
                if (out.batch) store.save(std::move(*out.batch));
            }
            if (tick % 64 == 63) store.flush();  // keeps the queue to one round of batches
        }
        for (auto& b : registry.take_all_unsaved()) store.save(std::move(b));
        store.stop();
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::uintmax_t bytes = 0;
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().filename().string().rfind("history.db", 0) == 0) bytes += e.file_size();
        const auto c = store.counters();
        const double host_hours = double(hosts) * double(points) / 3600.0;
        nlohmann::json j{{"tool", "hub-store-fill"},
                         {"hosts", hosts},
                         {"points_per_host", points},
                         {"seconds", took},
                         {"file_bytes", bytes},
                         {"file_bytes_per_host_hour", double(bytes) / host_hours},
                         {"store_bytes_per_host_hour", double(c.bytes_written) / host_hours},
                         {"points_written", c.points_written},
                         {"write_errors", c.write_errors}};
        std::printf("%s\n", j.dump().c_str());
        return c.write_errors ? 1 : 0;
    } catch (const std::exception& e) {
        std::cerr << "hub-store-fill: " << e.what() << "\n";
        return 2;
    }
}
