#include "hub/summary_builder.hpp"

#include <charconv>
#include <cmath>

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

// The summaries frame is built every second from every host: written straight
// into one string, it costs a fraction of an nlohmann DOM built and dumped.
void put(std::string& out, std::string_view text) { out.append(text); }

void put_string(std::string& out, std::string_view v) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (char ch : v) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (c < 0x20) {
            out.append("\\u00");
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        } else {
            out.push_back(ch);  // UTF-8 passes through, as the agent sent it (validated by simdjson)
        }
    }
    out.push_back('"');
}

template <class T>
void put_number(std::string& out, T v) {
    if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(v)) return put(out, "null");
    }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void put_bool(std::string& out, bool v) { put(out, v ? "true" : "false"); }

void append_summary(std::string& out, const HostSummary& s) {
    put(out, "{\"host_id\":");
    put_string(out, s.host_id);
    put(out, ",\"hostname\":");
    put_string(out, s.hostname);
    put(out, ",\"online\":");
    put_bool(out, s.online);
    put(out, ",\"last_seen_ms\":");
    put_number(out, s.last_seen_ms);
    put(out, ",\"hot\":");
    put_bool(out, s.hot);
    put(out, ",\"cpu\":");
    put_number(out, s.cpu);
    put(out, ",\"cores\":");
    put_number(out, s.cores);
    put(out, ",\"load1\":");
    put_number(out, s.load1);
    put(out, ",\"mem_total\":");
    put_number(out, s.mem_total);
    put(out, ",\"mem_available\":");
    put_number(out, s.mem_available);
    put(out, ",\"top\":");
    if (s.top_pid != 0 || !s.top_name.empty()) {
        put(out, "{\"pid\":");
        put_number(out, s.top_pid);
        put(out, ",\"name\":");
        put_string(out, s.top_name);
        put(out, ",\"cpu\":");
        put_number(out, s.top_cpu);
        put(out, "}");
    } else {
        put(out, "null");
    }
    put(out, ",\"tcp_established\":");
    put_number(out, s.tcp_established);
    put(out, ",\"tcp_listen\":");
    put_number(out, s.tcp_listen);
    put(out, ",\"sockets_total\":");
    put_number(out, s.sockets_total);
    put(out, ",\"seq\":");
    put_number(out, s.seq);
    put(out, ",\"interval_ms\":");
    put_number(out, s.interval_ms);
    put(out, ",\"gaps\":");
    put_number(out, s.gaps);
    put(out, ",\"leaks\":");
    put_number(out, s.leaks);
    put(out, ",\"opens_per_s\":");
    put_number(out, s.opens_per_s);
    put(out, "}");
}

void append_counts(std::string& out, const HostCounts& c) {
    put(out, "{\"online\":");
    put_number(out, c.online);
    put(out, ",\"offline\":");
    put_number(out, c.offline);
    put(out, ",\"hot\":");
    put_number(out, c.hot);
    put(out, ",\"total\":");
    put_number(out, c.total);
    put(out, "}");
}

void append_hosts(std::string& out, const std::vector<HostSummary>& hosts) {
    put(out, ",\"hosts\":[");
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        if (i) out.push_back(',');
        append_summary(out, hosts[i]);
    }
    put(out, "]}");
}

// A summary is ~420 bytes of JSON: reserve once instead of growing.
constexpr std::size_t summary_bytes_guess = 448;

nlohmann::json frame_head(std::string_view type, std::int64_t ts_ms, double high_cpu, const HostCounts& counts) {
    return {{"type", type}, {"ts_ms", ts_ms}, {"high_cpu", high_cpu}, {"counts", counts_json(counts)}};
}

}  // namespace

std::string build_summaries_frame(std::int64_t ts_ms, double high_cpu, const HostCounts& counts,
                                  const std::vector<HostSummary>& hosts) {
    std::string out;
    out.reserve(128 + hosts.size() * summary_bytes_guess);
    put(out, "{\"type\":\"summaries\",\"ts_ms\":");
    put_number(out, ts_ms);
    put(out, ",\"high_cpu\":");
    put_number(out, high_cpu);
    put(out, ",\"counts\":");
    append_counts(out, counts);
    append_hosts(out, hosts);
    return out;
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
    std::string out;
    out.reserve(128 + hosts.size() * summary_bytes_guess);
    put(out, "{\"high_cpu\":");
    put_number(out, high_cpu);
    put(out, ",\"counts\":");
    append_counts(out, counts);
    append_hosts(out, hosts);
    return out;
}

}  // namespace telehub::hub
