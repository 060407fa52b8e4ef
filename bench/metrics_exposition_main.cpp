// What a GET /metrics body costs at fleet size, and whether prometheus-cpp's
// text serializer could write it instead (issue 19): fills a host registry
// with the load generator's hosts (a few samples each, the history ring is
// not what is measured), then times the registry copy, the hub's own writer
// and, when built with prometheus-cpp, the same series as MetricFamily
// structs through prometheus::TextSerializer. Medians over --runs. Then
// what a scrape does to ingest: HostRegistry::on_sample timed on one thread
// while another builds bodies back to back, against the same without.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "bench_flags.hpp"
#include "bench_timing.hpp"
#include "hub/metrics/metrics.hpp"
#include "hub/state/state.hpp"
#include "loadgen/sample_factory.hpp"

#ifdef TELEHUB_WITH_PROMETHEUS_CPP
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>
#endif

namespace po = boost::program_options;
using namespace telehub;
using namespace telehub::hub;
using telehub::bench::median;
using telehub::bench::seconds_of;

namespace {

#ifdef TELEHUB_WITH_PROMETHEUS_CPP
// The same per-host series the hub writes, as the library's structs: a
// family per name, a ClientMetric with its own label strings per line.
std::string serialize_with_prometheus_cpp(const std::vector<HostMetrics>& hosts) {
    using prometheus::ClientMetric;
    using prometheus::MetricFamily;
    using prometheus::MetricType;
    std::vector<MetricFamily> families;
    auto gauge_family = [&](std::string name, auto value) {
        MetricFamily f{std::move(name), "help", MetricType::Gauge, {}};
        f.metric.reserve(hosts.size());
        for (const auto& h : hosts) {
            ClientMetric m;
            m.label = {{"host", h.host_id}, {"hostname", h.hostname}};
            m.gauge.value = value(h);
            f.metric.push_back(std::move(m));
        }
        families.push_back(std::move(f));
    };
    auto labelled_family = [&](std::string name, std::string label, const std::vector<std::string>& values, auto value) {
        MetricFamily f{std::move(name), "help", MetricType::Gauge, {}};
        for (const auto& h : hosts)
            for (std::size_t i = 0; i < values.size(); ++i) {
                ClientMetric m;
                m.label = {{"host", h.host_id}, {"hostname", h.hostname}, {label, values[i]}};
                m.gauge.value = value(h, i);
                f.metric.push_back(std::move(m));
            }
        families.push_back(std::move(f));
    };
    gauge_family("telehub_host_cpu_ratio", [](const HostMetrics& h) { return h.gauges.cpu / 100; });
    labelled_family("telehub_host_cpu_mode_ratio", "mode", {"user", "system", "iowait", "steal"},
                    [](const HostMetrics& h, std::size_t i) {
                        const double v[] = {h.gauges.cpu_user, h.gauges.cpu_system, h.gauges.cpu_iowait, h.gauges.cpu_steal};
                        return v[i] / 100;
                    });
    for (int i = 0; i < 3; ++i)
        gauge_family("telehub_host_load" + std::to_string(i), [i](const HostMetrics& h) { return h.gauges.load[i]; });
    gauge_family("telehub_host_memory_total_bytes", [](const HostMetrics& h) { return double(h.gauges.mem_total); });
    gauge_family("telehub_host_memory_available_bytes", [](const HostMetrics& h) { return double(h.gauges.mem_available); });
    gauge_family("telehub_host_processes", [](const HostMetrics& h) { return double(h.gauges.procs_total); });
    gauge_family("telehub_host_processes_running", [](const HostMetrics& h) { return double(h.gauges.procs_running); });
    std::vector<std::string> states;
    for (int s = tcp_established; s <= tcp_closing; ++s) states.emplace_back(tcp_state_name(s));
    labelled_family("telehub_host_tcp_sockets", "state", states,
                    [](const HostMetrics& h, std::size_t i) { return double(h.gauges.tcp[i + 1]); });
    gauge_family("telehub_host_udp_sockets", [](const HostMetrics& h) { return double(h.gauges.udp); });
    gauge_family("telehub_host_unix_sockets", [](const HostMetrics& h) { return double(h.gauges.unix_); });
    gauge_family("telehub_host_raw_sockets", [](const HostMetrics& h) { return double(h.gauges.raw); });
    gauge_family("telehub_host_socket_opens_per_second", [](const HostMetrics& h) { return h.gauges.opens_per_s; });
    gauge_family("telehub_host_leak_suspects", [](const HostMetrics& h) { return double(h.gauges.leaks); });
    gauge_family("telehub_host_online", [](const HostMetrics& h) { return h.online ? 1.0 : 0.0; });
    gauge_family("telehub_host_last_seen_timestamp_seconds", [](const HostMetrics& h) { return h.last_seen_ms / 1000.0; });
    gauge_family("telehub_host_missing_samples", [](const HostMetrics& h) { return double(h.gaps); });
    gauge_family("telehub_host_history_bytes", [](const HostMetrics& h) { return double(h.history_bytes); });
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    return std::move(out).str();
}
#endif

// p99.9 and max of on_sample (µs) over `seconds`, feeding the hosts round robin.
std::pair<double, double> on_sample_us(HostRegistry& registry, const loadgen::SampleFactory& factory,
                                       std::size_t hosts, double seconds) {
    std::vector<Sample> samples;
    for (std::size_t h = 0; h < hosts; h += 97) samples.push_back(factory.sample(h, 4));
    auto raw = std::make_shared<const std::string>("{}");
    std::vector<double> us;
    std::uint64_t seq = 10;
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
        for (std::size_t i = 0; i < samples.size(); ++i) {
            auto& s = samples[i];
            s.seq = seq;
            s.ts_ms = 1764000000000 + std::int64_t(seq) * 1000;
            const std::size_t host = i * 97;
            us.push_back(seconds_of([&] { registry.on_sample(s, raw, host + 1); }) * 1e6);
        }
        ++seq;
    }
    std::sort(us.begin(), us.end());
    return {us[us.size() * 999 / 1000], us.back()};
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t hosts = 10000, runs = 7;
    po::options_description desc("metrics-exposition: the cost of one /metrics body\nOptions");
    desc.add_options()("help,h", "show this help and exit")(
        "hosts", po::value(&hosts)->default_value(hosts), "simulated hosts")(
        "runs", po::value(&runs)->default_value(runs), "timed repetitions (medians are reported)");
    if (auto status = telehub::bench::parse_flags(argc, argv, desc, "metrics-exposition")) return *status;
    if (hosts == 0 || runs == 0) {
        std::cerr << "metrics-exposition: --hosts and --runs must be at least 1\n";
        return 2;
    }
    loadgen::SampleFactory factory(loadgen::FleetShape{});
    const std::int64_t t0 = 1764000000000;
    std::int64_t now = t0;
    HostRegistry registry(RegistryOptions{.history_points = 60}, [&now] { return now; });
    auto raw = std::make_shared<const std::string>("{}");
    for (std::size_t h = 0; h < hosts; ++h) {
        registry.on_hello(factory.hello(h, t0), h + 1);
        for (std::uint64_t tick = 0; tick < 3; ++tick) {
            auto s = factory.sample(h, tick);
            s.seq = tick + 1;
            s.ts_ms = t0 + std::int64_t(tick) * 1000;
            registry.on_sample(s, raw, h + 1);
        }
    }
    HubStats stats;
    std::vector<double> copy_s, own_s, lib_s;
    std::size_t own_bytes = 0, lib_bytes = 0;
    for (std::size_t r = 0; r < runs; ++r) {
        std::vector<HostMetrics> rows;
        copy_s.push_back(seconds_of([&] { rows = registry.metrics(); }));
        own_s.push_back(seconds_of([&] { own_bytes = build_metrics_body(rows, stats, {0, t0, 0}).size(); }));
#ifdef TELEHUB_WITH_PROMETHEUS_CPP
        lib_s.push_back(seconds_of([&] { lib_bytes = serialize_with_prometheus_cpp(rows).size(); }));
#endif
    }
    auto quiet = on_sample_us(registry, factory, hosts, 2.0);
    std::atomic<bool> scraping{true};
    std::atomic<int> bodies{0};
    std::thread scraper([&] {
        while (scraping) {
            build_metrics_body(registry.metrics(), stats, {0, t0, 0});
            ++bodies;
        }
    });
    auto during = on_sample_us(registry, factory, hosts, 2.0);
    scraping = false;
    scraper.join();
    nlohmann::json j{{"tool", "metrics-exposition"},
                     {"on_sample_us_p999_quiet", quiet.first},
                     {"on_sample_us_max_quiet", quiet.second},
                     {"on_sample_us_p999_while_scraping", during.first},
                     {"on_sample_us_max_while_scraping", during.second},
                     {"bodies_built_while_timing", bodies.load()},
                     {"hosts", hosts},
                     {"runs", runs},
                     {"registry_copy_ms_median", median(copy_s) * 1e3},
                     {"own_writer_ms_median", median(own_s) * 1e3},
                     {"own_writer_bytes", own_bytes}};
    if (!lib_s.empty()) {
        j["prometheus_cpp_ms_median"] = median(lib_s) * 1e3;
        j["prometheus_cpp_bytes"] = lib_bytes;
    }
    std::printf("%s\n", j.dump().c_str());
    return 0;
}
