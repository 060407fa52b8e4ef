// alert-rules-eval: what evaluating alert rules costs per sample, in process
// (issue #21's "23 rules add at most 2 µs per sample"): the hub's
// AlertEvaluator fed the load generator's fleet one second at a time, every
// host's sample of a tick timed together, medians over the ticks. It times
// the rules' own work (metrics read, states moved, culprits taken when an
// alert fires); what the hub does with the events that come out (a log line,
// a dashboard message, a notification) is in scripts/bench-rules' end-to-end
// figures, where the hub's whole CPU is measured.
//
//   alert-rules-eval [--rules bench/rules/default-plus-20.toml] [--hosts 10000] [--ticks 90]
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "bench_flags.hpp"
#include "bench_timing.hpp"
#include "hub/alerts/alerts.hpp"
#include "loadgen/sample_factory.hpp"

namespace po = boost::program_options;
using namespace telehub;
using namespace telehub::hub;

int main(int argc, char** argv) {
    std::string rules_path = std::string(TELEHUB_SOURCE_DIR) + "/bench/rules/default-plus-20.toml";
    std::size_t hosts = 10000, ticks = 90;
    po::options_description desc("alert-rules-eval: alert rules' cost per sample\nOptions");
    desc.add_options()("help,h", "show this help and exit")(
        "rules", po::value(&rules_path)->default_value(rules_path), "rules file (TOML, docs/alerts.md)")(
        "hosts", po::value(&hosts)->default_value(hosts), "simulated hosts")(
        "ticks", po::value(&ticks)->default_value(ticks),
        "seconds of samples (past 60 the built-in rules' `for` is reached and alerts fire)");
    if (auto status = telehub::bench::parse_flags(argc, argv, desc, "alert-rules-eval")) return *status;
    std::ifstream in(rules_path);
    if (!in) {
        std::cerr << "alert-rules-eval: cannot read " << rules_path << "\n";
        return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = parse_rules(text.str(), rules_path);
    if (!parsed.ok()) {
        std::cerr << "alert-rules-eval: " << parsed.error << "\n";
        return 2;
    }
    const std::size_t rule_count = parsed.rules.size();
    AlertEvaluator evaluator(std::move(parsed.rules));
    loadgen::SampleFactory factory(loadgen::FleetShape{});
    std::vector<std::string> hostnames;
    for (std::size_t h = 0; h < hosts; ++h) hostnames.push_back(factory.hello(h, 0).hostname);

    std::vector<double> ns_per_sample;
    std::vector<AlertEvent> events;
    std::size_t event_count = 0;
    std::vector<Sample> samples(hosts);
    for (std::size_t t = 0; t < ticks; ++t) {
        for (std::size_t h = 0; h < hosts; ++h) {
            samples[h] = factory.sample(h, t);
            samples[h].seq = t + 1;
            samples[h].ts_ms = 1764000000000 + static_cast<std::int64_t>(t) * 1000;
        }
        const double secs = telehub::bench::seconds_of([&] {
            for (std::size_t h = 0; h < hosts; ++h) {
                events.clear();
                evaluator.on_sample(hostnames[h], samples[h], events);
                event_count += events.size();
            }
        });
        ns_per_sample.push_back(secs * 1e9 / static_cast<double>(hosts));
    }
    const auto active = evaluator.active();
    std::size_t firing = 0;
    for (const auto& a : active) firing += a.state == AlertState::firing;
    nlohmann::json j{{"tool", "alert-rules-eval"},
                     {"rules_file", rules_path},
                     {"rules", rule_count},
                     {"hosts", hosts},
                     {"ticks", ticks},
                     {"ns_per_sample_median", telehub::bench::median(ns_per_sample)},
                     {"ns_per_sample_min", *std::min_element(ns_per_sample.begin(), ns_per_sample.end())},
                     {"ns_per_sample_max", *std::max_element(ns_per_sample.begin(), ns_per_sample.end())},
                     {"events", event_count},
                     {"active_at_end", active.size()},
                     {"firing_at_end", firing}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
}
