// "The fleet processes view at 10,000 hosts refreshes within its second"
// (issue 21): feeds the load generator's hosts (top 10 processes and 10
// socket holders each) into the hub's FleetProcesses, then times, per run,
// one second's worth of samples (one per host, each replacing its host's
// share) and the GET /api/fleet/processes replies the dashboard asks for.
// --name-spread N gives each catalogue name N variants, for fleets whose
// process names are many (a name per build job, per pod); with --churn a
// host's names change every second (each sample leaves and joins every one
// of its rows: the worst case). Medians over --runs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "bench_flags.hpp"
#include "bench_timing.hpp"
#include "hub/fleet/fleet.hpp"
#include "loadgen/sample_factory.hpp"

namespace po = boost::program_options;
using namespace telehub;
using namespace telehub::hub;
using telehub::bench::median;
using telehub::bench::seconds_of;

namespace {

// Every host's sample at `tick`, made before the clock starts.
std::vector<Sample> fleet_at(const loadgen::SampleFactory& factory, std::size_t hosts, std::uint64_t tick,
                             std::size_t name_spread, bool churn) {
    std::vector<Sample> out;
    out.reserve(hosts);
    for (std::size_t h = 0; h < hosts; ++h) {
        auto s = factory.sample(h, tick);
        s.seq = tick + 1;
        s.ts_ms = 1764000000000 + static_cast<std::int64_t>(tick) * 1000;
        if (name_spread > 1) {
            const auto suffix = "-" + std::to_string((h * 7 + (churn ? tick : 0)) % name_spread);
            for (auto& p : s.top) p.name += suffix;
            for (auto& p : s.sockets.by_process) p.name += suffix;
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t hosts = 10000, runs = 7, name_spread = 1;
    bool churn = false;
    po::options_description desc("fleet-processes: the fleet processes aggregate at fleet size\nOptions");
    desc.add_options()("help,h", "show this help and exit")(
        "hosts", po::value(&hosts)->default_value(hosts), "simulated hosts")(
        "runs", po::value(&runs)->default_value(runs), "timed repetitions (medians are reported)")(
        "name-spread", po::value(&name_spread)->default_value(name_spread),
        "variants of each process name (1: the catalogue's 16 names)")(
        "churn", po::bool_switch(&churn), "every host's names change every second");
    if (auto status = telehub::bench::parse_flags(argc, argv, desc, "fleet-processes")) return *status;
    if (hosts == 0 || runs == 0 || name_spread == 0) {
        std::cerr << "fleet-processes: --hosts, --runs and --name-spread must be at least 1\n";
        return 2;
    }
    loadgen::SampleFactory factory(loadgen::FleetShape{});
    FleetProcesses fleet;
    std::vector<std::string> hostnames;
    for (std::size_t h = 0; h < hosts; ++h) hostnames.push_back(factory.hello(h, 0).hostname);
    const auto first = fleet_at(factory, hosts, 0, name_spread, churn);
    for (std::size_t h = 0; h < hosts; ++h) fleet.on_sample(hostnames[h], first[h]);
    std::vector<double> ingest_s, cpu_reply_s, sockets_reply_s;
    std::size_t cpu_bytes = 0, sockets_bytes = 0;
    for (std::size_t r = 0; r < runs; ++r) {
        const auto samples = fleet_at(factory, hosts, r + 1, name_spread, churn);
        ingest_s.push_back(seconds_of([&] {
            for (std::size_t h = 0; h < hosts; ++h) fleet.on_sample(hostnames[h], samples[h]);
        }));
        // What the page asks each second, and the largest reply there is.
        cpu_reply_s.push_back(seconds_of([&] { cpu_bytes = fleet_processes_reply(fleet, "sort=cpu&limit=100").body.size(); }));
        sockets_reply_s.push_back(
            seconds_of([&] { sockets_bytes = fleet_processes_reply(fleet, "sort=sockets&limit=1000").body.size(); }));
    }
    const double ingest = median(ingest_s), cpu_reply = median(cpu_reply_s);
    nlohmann::json j{{"tool", "fleet-processes"},
                     {"hosts", hosts},
                     {"runs", runs},
                     {"name_spread", name_spread},
                     {"churn", churn},
                     {"names", fleet.name_count()},
                     {"ingest_one_second_ms_median", ingest * 1e3},
                     {"ingest_us_per_sample_median", ingest * 1e6 / double(hosts)},
                     {"reply_cpu_limit100_ms_median", cpu_reply * 1e3},
                     {"reply_cpu_limit100_bytes", cpu_bytes},
                     {"reply_sockets_limit1000_ms_median", median(sockets_reply_s) * 1e3},
                     {"reply_sockets_limit1000_bytes", sockets_bytes},
                     {"second_used_pct", (ingest + cpu_reply) * 100}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
}
