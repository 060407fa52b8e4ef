#include "loadgen/window_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace telehub::loadgen {
namespace {

double percentile(std::vector<std::int64_t>& v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto rank = std::size_t(std::ceil(q * double(v.size())));
    return double(v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)]) / 1000.0;
}

std::optional<double> ratio(const WindowResult& r) {
    auto due = r.sent + r.blocked;
    if (!r.hub_counted || due == 0) return std::nullopt;
    return double(*r.hub_counted) / double(due);
}

template <class T>
nlohmann::json opt(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

double round2(double v) { return std::round(v * 100) / 100; }

}  // namespace

LatencySummary summarize_latency(const std::vector<std::int64_t>& received_us,
                                 const std::vector<std::int64_t>& latency_us, std::int64_t split_us) {
    LatencySummary s;
    std::vector<std::int64_t> all = latency_us, first, second;
    for (std::size_t i = 0; i < latency_us.size(); ++i)
        (received_us[i] < split_us ? first : second).push_back(latency_us[i]);
    s.count = all.size();
    s.p50_ms = percentile(all, 0.50);
    s.p99_ms = percentile(all, 0.99);
    s.max_ms = all.empty() ? 0 : double(all.back()) / 1000.0;
    s.p99_first_half_ms = percentile(first, 0.99);
    s.p99_second_half_ms = percentile(second, 0.99);
    return s;
}

void judge(WindowResult& r) {
    std::vector<std::string> why;
    // A load generator that could not produce the load measures nothing.
    double target = double(r.agents) * r.window_s * 1000.0 / r.interval_ms;
    double due = double(r.sent + r.blocked);
    if (r.pacer_resets > 0 || (target > 0 && due < 0.97 * target))
        why.push_back("load generator fell behind (" + std::to_string(int(100 * due / target)) + "% of the target rate due, " +
                      std::to_string(r.pacer_resets) + " schedule resets)");
    auto counted = ratio(r);
    if (!counted) why.push_back("hub counters unavailable");
    else if (*counted < 0.99)
        why.push_back("hub counted " + std::to_string(int(*counted * 1000) / 10.0).substr(0, 5) + "% of samples due");
    if (r.agents_welcomed < r.agents)
        why.push_back(std::to_string(r.agents - r.agents_welcomed) + " agents not connected");
    if (r.detail_hosts > 0) {
        const auto& l = r.latency;
        if (l.count == 0) why.push_back("no detail samples reached the dashboard");
        else if (l.p99_ms >= r.interval_ms) why.push_back("latency p99 over one interval");
        // Growth beyond noise: doubled and at least 20 ms more.
        else if (l.p99_second_half_ms > 2 * l.p99_first_half_ms + 20) why.push_back("latency p99 growing (backlog)");
    }
    double expected = 1000.0 / r.interval_ms;
    for (double s : r.summaries_per_s)
        if (s < 0.8 * std::min(expected, 1.0)) {
            why.push_back("a dashboard got " + std::to_string(s).substr(0, 4) + " summaries/s");
            break;
        }
    r.keeps_up = why.empty();
    if (r.keeps_up) r.verdict = "keeps up";
    for (std::size_t i = 0; i < why.size(); ++i) r.verdict += (i ? "; " : "") + why[i];
}

std::string table_header() {
    return "  agents  sent/s  hub/s  counted  frame_B  lat_p50  lat_p99  lat_max  p99_1st/2nd  summ/s(min)  hub_cpu%  "
           "us/sample  hub_RSS_MB  lg_cpu%  verdict";
}

std::string table_row(const WindowResult& r) {
    char buf[512];
    auto c = ratio(r);
    double min_summ = r.summaries_per_s.empty() ? 0 : *std::min_element(r.summaries_per_s.begin(), r.summaries_per_s.end());
    auto num = [](const std::optional<double>& v, const char* fmt) {
        char b[32];
        if (!v) return std::string("-");
        std::snprintf(b, sizeof b, fmt, *v);
        return std::string(b);
    };
    std::snprintf(buf, sizeof buf, "%8zu %7.0f %6s %8s %8.0f %8.2f %8.2f %8.2f %5.1f/%-5.1f %11.2f %9s %10s %11s %8.1f  %s",
                  r.agents, double(r.sent) / r.window_s,
                  num(r.hub_counted ? std::optional<double>(double(*r.hub_counted) / r.window_s) : std::nullopt, "%.0f").c_str(),
                  num(c ? std::optional<double>(*c * 100) : std::nullopt, "%.1f%%").c_str(), r.mean_frame_bytes,
                  r.latency.p50_ms, r.latency.p99_ms, r.latency.max_ms, r.latency.p99_first_half_ms,
                  r.latency.p99_second_half_ms, min_summ, num(r.hub_cpu_percent, "%.1f").c_str(),
                  num(r.hub_cpu_us_per_sample, "%.1f").c_str(), num(r.hub_rss_mb, "%.1f").c_str(),
                  r.loadgen_cpu_percent, r.verdict.c_str());
    return buf;
}

namespace {

nlohmann::json scrapes_json(const ScrapeSummary& s) {
    return {{"count", s.count},
            {"failed", s.failed},
            {"ms_median", round2(s.ms_median)},
            {"ms_max", round2(s.ms_max)},
            {"bytes", s.bytes},
            {"latency_during_ms",
             {{"count", s.latency_during.count},
              {"p50", round2(s.latency_during.p50_ms)},
              {"p99", round2(s.latency_during.p99_ms)},
              {"max", round2(s.latency_during.max_ms)}}}};
}

}  // namespace

nlohmann::json to_json(const WindowResult& r) {
    auto c = ratio(r);
    nlohmann::json summ = nlohmann::json::array();
    for (double s : r.summaries_per_s) summ.push_back(round2(s));
    return {{"agents", r.agents},
            {"agents_welcomed", r.agents_welcomed},
            {"connect_failures", r.connect_failures},
            {"disconnects", r.disconnects},
            {"window_s", round2(r.window_s)},
            {"interval_ms", r.interval_ms},
            {"samples_sent", r.sent},
            {"samples_blocked", r.blocked},
            {"samples_hub_counted", opt(r.hub_counted)},
            {"hub_counted_ratio", c ? nlohmann::json(std::round(*c * 10000) / 10000) : nlohmann::json(nullptr)},
            {"mean_frame_bytes", std::round(r.mean_frame_bytes)},
            {"latency_ms",
             {{"count", r.latency.count},
              {"p50", round2(r.latency.p50_ms)},
              {"p99", round2(r.latency.p99_ms)},
              {"max", round2(r.latency.max_ms)},
              {"p99_first_half", round2(r.latency.p99_first_half_ms)},
              {"p99_second_half", round2(r.latency.p99_second_half_ms)}}},
            {"detail_hosts", r.detail_hosts},
            {"summaries_per_s", summ},
            {"hub_cpu_percent", r.hub_cpu_percent ? nlohmann::json(round2(*r.hub_cpu_percent)) : nlohmann::json(nullptr)},
            {"hub_cpu_us_per_sample", r.hub_cpu_us_per_sample ? nlohmann::json(round2(*r.hub_cpu_us_per_sample)) : nlohmann::json(nullptr)},
            {"hub_rss_mb", r.hub_rss_mb ? nlohmann::json(round2(*r.hub_rss_mb)) : nlohmann::json(nullptr)},
            {"hub_history_bytes", r.hub_history_bytes ? nlohmann::json(*r.hub_history_bytes) : nlohmann::json(nullptr)},
            {"hub_history_points", r.hub_history_points ? nlohmann::json(*r.hub_history_points) : nlohmann::json(nullptr)},
            {"hub_store_bytes", r.hub_store_bytes ? nlohmann::json(*r.hub_store_bytes) : nlohmann::json(nullptr)},
            {"hub_disk_write_bytes", r.hub_disk_write_bytes ? nlohmann::json(*r.hub_disk_write_bytes) : nlohmann::json(nullptr)},
            {"loadgen_cpu_percent", round2(r.loadgen_cpu_percent)},
            {"pacer_resets", r.pacer_resets},
            {"metrics_scrapes", r.scrapes ? scrapes_json(*r.scrapes) : nlohmann::json(nullptr)},
            {"keeps_up", r.keeps_up},
            {"verdict", r.verdict}};
}

}  // namespace telehub::loadgen
