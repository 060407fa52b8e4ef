#include "hub/state/summary_builder.hpp"

#include <algorithm>

#include "telehub/json_writer.hpp"

namespace telehub::hub {

nlohmann::json summary_json(const HostSummary& s) {
    nlohmann::json top = nullptr;
    if (s.top_pid != 0 || !s.top_name.empty()) top = {{"pid", s.top_pid}, {"name", s.top_name}, {"cpu", s.top_cpu}};
    nlohmann::json j = {{"host_id", s.host_id},
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
            {"opens_per_s", s.opens_per_s},
            {"containers", s.containers}};
    if (!s.hub.empty()) j["hub"] = s.hub;
    return j;
}

nlohmann::json counts_json(const HostCounts& c) {
    return {{"online", c.online}, {"offline", c.offline}, {"hot", c.hot}, {"total", c.total}};
}

namespace {

// The summaries frame is built every second from every host: written straight
// into one string (telehub/json_writer.hpp), not through an nlohmann DOM.
void put(std::string& out, std::string_view text) { out.append(text); }

// `spark`: the snapshot's recent CPU totals, written as the last field.
void append_summary(std::string& out, const HostSummary& s, const std::vector<double>* spark = nullptr) {
    JsonObjectWriter o(out);
    o.str("host_id", s.host_id)
        .str("hostname", s.hostname)
        .flag("online", s.online)
        .num("last_seen_ms", s.last_seen_ms)
        .flag("hot", s.hot)
        .num("cpu", s.cpu)
        .num("cores", s.cores)
        .num("load1", s.load1)
        .num("mem_total", s.mem_total)
        .num("mem_available", s.mem_available);
    o.key("top");
    if (s.top_pid != 0 || !s.top_name.empty())
        JsonObjectWriter(out).num("pid", s.top_pid).str("name", s.top_name).num("cpu", s.top_cpu).close();
    else
        put(out, "null");
    o.num("tcp_established", s.tcp_established)
        .num("tcp_listen", s.tcp_listen)
        .num("sockets_total", s.sockets_total)
        .num("seq", s.seq)
        .num("interval_ms", s.interval_ms)
        .num("gaps", s.gaps)
        .num("leaks", s.leaks)
        .num("opens_per_s", s.opens_per_s)
        .num("containers", s.containers);
    if (!s.hub.empty()) o.str("hub", s.hub);
    if (spark) {
        append_json_array(o.key("spark"), *spark, append_json_number<double>);
    }
    o.close();
}

void append_counts(std::string& out, const HostCounts& c) {
    JsonObjectWriter(out).num("online", c.online).num("offline", c.offline).num("hot", c.hot).num("total", c.total).close();
}

// ,"hosts":[...]} over [first, last), `write` writing one element.
template <class T, class Write>
void append_hosts(std::string& out, const T* first, const T* last, Write write) {
    put(out, ",\"hosts\":[");
    for (auto* h = first; h != last; ++h) {
        if (h != first) out.push_back(',');
        write(out, *h);
    }
    put(out, "]}");
}

void append_hosts(std::string& out, const HostSummary* first, const HostSummary* last) {
    append_hosts(out, first, last, [](std::string& o, const HostSummary& s) { append_summary(o, s); });
}

void append_hosts(std::string& out, const std::vector<HostSummary>& hosts) {
    append_hosts(out, hosts.data(), hosts.data() + hosts.size());
}

// {"type":..,"ts_ms":..,"high_cpu":..,"counts":{..}: the head of a /ws/live frame, left open.
void append_frame_head(std::string& out, std::string_view type, std::int64_t ts_ms, double high_cpu,
                       const HostCounts& counts) {
    put(out, "{\"type\":\"");
    put(out, type);
    put(out, "\",\"ts_ms\":");
    append_json_number(out, ts_ms);
    put(out, ",\"high_cpu\":");
    append_json_number(out, high_cpu);
    put(out, ",\"counts\":");
    append_counts(out, counts);
}

// A summary is ~420 bytes of JSON: reserve once instead of growing.
constexpr std::size_t summary_bytes_guess = 448;

}  // namespace

std::vector<std::string> build_summaries_frames(std::int64_t ts_ms, double high_cpu, const HostCounts& counts,
                                                const std::vector<HostSummary>& hosts, std::size_t hosts_per_part) {
    const std::size_t per = std::max<std::size_t>(hosts_per_part, 1);
    const std::size_t parts = std::max<std::size_t>((hosts.size() + per - 1) / per, 1);
    std::vector<std::string> frames(parts);
    for (std::size_t p = 0; p < parts; ++p) {
        const auto* first = hosts.data() + std::min(p * per, hosts.size());
        const auto* last = hosts.data() + std::min((p + 1) * per, hosts.size());
        auto& out = frames[p];
        out.reserve(160 + static_cast<std::size_t>(last - first) * summary_bytes_guess);
        append_frame_head(out, "summaries", ts_ms, high_cpu, counts);
        put(out, ",\"part\":");
        append_json_number(out, p);
        put(out, ",\"parts\":");
        append_json_number(out, parts);
        append_hosts(out, first, last);
    }
    return frames;
}

std::string build_snapshot_frame(std::int64_t ts_ms, double high_cpu, const HostCounts& counts,
                                 const std::vector<HostSnapshot>& hosts) {
    std::size_t points = 0;
    for (const auto& h : hosts) points += h.spark.size();
    std::string out;
    out.reserve(128 + hosts.size() * summary_bytes_guess + points * 6);
    append_frame_head(out, "snapshot", ts_ms, high_cpu, counts);
    append_hosts(out, hosts.data(), hosts.data() + hosts.size(),
                 [](std::string& o, const HostSnapshot& h) { append_summary(o, h.summary, &h.spark); });
    return out;
}

std::string build_hosts_body(double high_cpu, const HostCounts& counts, const std::vector<HostSummary>& hosts) {
    std::string out;
    out.reserve(128 + hosts.size() * summary_bytes_guess);
    put(out, "{\"high_cpu\":");
    append_json_number(out, high_cpu);
    put(out, ",\"counts\":");
    append_counts(out, counts);
    append_hosts(out, hosts);
    return out;
}

}  // namespace telehub::hub
