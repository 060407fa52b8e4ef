// What a GET /api/hosts/{id}/history reply costs the thread that builds it
// (the hub's background thread): a host's hour in memory read out of the registry as columns, and the
// body written, alone and with 30 days of the store's minute tier before it
// (the longest a default --retention keeps). The minute rows are made here,
// not read from SQLite, so the figure is the body's alone.
#include <cstdio>
#include <iostream>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "bench_flags.hpp"
#include "bench_timing.hpp"
#include "hub/state/state.hpp"
#include "loadgen/sample_factory.hpp"

namespace po = boost::program_options;
using namespace telehub::hub;
using telehub::bench::median;
using telehub::bench::seconds_of;
using telehub::loadgen::FleetShape;
using telehub::loadgen::SampleFactory;

namespace {

// `days` of minute rows ending at `end_ms`, values varying as a real host's would.
std::vector<MinuteRow> minute_rows(std::int64_t end_ms, int days) {
    const std::int64_t n = std::int64_t(days) * 24 * 60;
    std::vector<MinuteRow> rows(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        auto& r = rows[static_cast<std::size_t>(i)];
        r.minute_ms = end_ms - (n - i) * minute_ms;
        r.count = 60;
        const auto v = static_cast<std::uint16_t>((i * 37) % 1000);
        for (HistoryPoint* p : {&r.min, &r.avg, &r.max}) {
            p->cpu_tenths = v;
            p->load1_hundredths = static_cast<std::uint16_t>(v / 3);
            p->top_cpu_tenths = static_cast<std::uint16_t>(v / 2);
            p->tcp_established = static_cast<std::uint16_t>(100 + v % 50);
            p->tcp_listen = 12;
            p->tcp_time_wait = static_cast<std::uint16_t>(v % 300);
            p->tcp_close_wait = static_cast<std::uint16_t>(v % 7);
            p->udp = 8;
            p->unix_ = 140;
            p->opens_exact = static_cast<std::uint16_t>(v % 90);
            p->opened_sampled = static_cast<std::uint16_t>(v % 80);
            p->closed_sampled = static_cast<std::uint16_t>(v % 70);
        }
    }
    return rows;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t points = 3600, runs = 9;
    std::uint32_t cores = 8;
    int days = 30;
    po::options_description desc("history-reply: the cost of a GET /api/hosts/{id}/history body\nOptions");
    desc.add_options()("help,h", "show this help and exit")(
        "points", po::value(&points)->default_value(points), "history points held in memory (the hub's --history)")(
        "cores", po::value(&cores)->default_value(cores), "cores of the simulated host")(
        "days", po::value(&days)->default_value(days), "days of minute rows before the hour (--retention)")(
        "runs", po::value(&runs)->default_value(runs), "timed repetitions (medians are reported)");
    if (auto status = telehub::bench::parse_flags(argc, argv, desc, "history-reply")) return *status;
    if (points == 0 || cores == 0 || days < 1 || runs == 0) {
        std::cerr << "history-reply: --points, --cores, --days and --runs must be at least 1\n";
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
    registry.on_hello(factory.hello(0, t0), 1);
    for (std::size_t tick = 0; tick < points; ++tick) {
        auto s = factory.sample(0, tick);
        s.ts_ms = t0 + std::int64_t(tick) * shape.interval_ms;
        now = s.ts_ms;
        registry.on_sample(s, raw, 1);
    }
    const auto id = factory.host_id(0);
    const auto minutes = minute_rows(t0, days);

    std::vector<double> read_s, hour_s, month_s;
    std::size_t hour_bytes = 0, month_bytes = 0;
    for (std::size_t r = 0; r < runs; ++r) {
        std::optional<HostHistory> h;
        read_s.push_back(seconds_of([&] { h = registry.history(id, std::int64_t(points)); }));
        hour_s.push_back(seconds_of([&] { hour_bytes = history_body(*h, nullptr).size(); }));
        month_s.push_back(seconds_of([&] { month_bytes = history_body(*h, &minutes).size(); }));
    }
    nlohmann::json j{{"tool", "history-reply"},
                     {"points", points},
                     {"cores", cores},
                     {"minute_rows", minutes.size()},
                     {"read_hour_ms_median", median(read_s) * 1e3},
                     {"body_hour_ms_median", median(hour_s) * 1e3},
                     {"body_hour_bytes", hour_bytes},
                     {"body_hour_and_minutes_ms_median", median(month_s) * 1e3},
                     {"body_hour_and_minutes_bytes", month_bytes}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
}
