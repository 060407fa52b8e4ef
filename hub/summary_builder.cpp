#include "hub/summary_builder.hpp"

namespace telehub::hub {

nlohmann::json summary_json(const HostSummary& s) {
    nlohmann::json top = nullptr;
    if (s.top_pid != 0 || !s.top_name.empty()) top = {{"pid", s.top_pid}, {"name", s.top_name}, {"cpu", s.top_cpu}};
    return {{"host_id", s.host_id},
            {"hostname", s.hostname},
            {"online", s.online},
            {"last_seen_ms", s.last_seen_ms},
            {"hot", s.hot},
            {"cpu", s.cpu},
            {"cores", s.cores},
            {"load1", s.load1},
            {"mem_total", s.mem_total},
            {"mem_available", s.mem_available},
            {"top", std::move(top)},
            {"tcp_established", s.tcp_established},
            {"tcp_listen", s.tcp_listen},
            {"sockets_total", s.sockets_total},
            {"seq", s.seq},
            {"interval_ms", s.interval_ms},
            {"gaps", s.gaps},
            {"leaks", s.leaks},
            {"opens_per_s", s.opens_per_s}};
}

nlohmann::json counts_json(const HostCounts& c) {
    return {{"online", c.online}, {"offline", c.offline}, {"hot", c.hot}, {"total", c.total}};
}

namespace {

nlohmann::json frame_head(std::string_view type, std::int64_t ts_ms, double high_cpu, const HostCounts& counts) {
    return {{"type", type}, {"ts_ms", ts_ms}, {"high_cpu", high_cpu}, {"counts", counts_json(counts)}};
}

}  // namespace

std::string build_summaries_frame(std::int64_t ts_ms, double high_cpu, const HostCounts& counts,
                                  const std::vector<HostSummary>& hosts) {
    auto j = frame_head("summaries", ts_ms, high_cpu, counts);
    auto& arr = j["hosts"] = nlohmann::json::array();
    for (const auto& h : hosts) arr.push_back(summary_json(h));
    return j.dump();
}

std::string build_snapshot_frame(std::int64_t ts_ms, double high_cpu, const HostCounts& counts,
                                 const std::vector<HostSnapshot>& hosts) {
    auto j = frame_head("snapshot", ts_ms, high_cpu, counts);
    auto& arr = j["hosts"] = nlohmann::json::array();
    for (const auto& h : hosts) {
        auto s = summary_json(h.summary);
        s["spark"] = h.spark;
        arr.push_back(std::move(s));
    }
    return j.dump();
}

std::string build_hosts_body(double high_cpu, const HostCounts& counts, const std::vector<HostSummary>& hosts) {
    nlohmann::json j = {{"high_cpu", high_cpu}, {"counts", counts_json(counts)}};
    auto& arr = j["hosts"] = nlohmann::json::array();
    for (const auto& h : hosts) arr.push_back(summary_json(h));
    return j.dump();
}

}  // namespace telehub::hub
