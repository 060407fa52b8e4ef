#include "hub/cluster/fleet_batch.hpp"

#include <nlohmann/json.hpp>

namespace telehub::hub {

using nlohmann::json;

std::string encode_fleet_batch(std::string_view hub, std::int64_t ts_ms, double high_cpu,
                               const std::vector<HostSummary>& hosts) {
    HostCounts counts;
    for (const auto& h : hosts) {
        ++counts.total;
        ++(h.online ? counts.online : counts.offline);
        if (h.hot) ++counts.hot;
    }
    // The hosts body is the one GET /api/hosts sends (built without a JSON
    // tree); the batch is that object with the hub and its clock in front.
    std::string body = build_hosts_body(high_cpu, counts, hosts);
    std::string out = "{\"hub\":" + json(hub).dump() + ",\"ts_ms\":" + std::to_string(ts_ms) + ",";
    out.append(body, 1);
    return out;
}

namespace {

template <class T>
T field(const json& j, const char* key, T fallback) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    return it->get<T>();
}

HostSummary summary_from(const json& h) {
    HostSummary s;
    s.host_id = h.at("host_id").get<std::string>();
    s.hostname = field<std::string>(h, "hostname", "");
    s.online = field<bool>(h, "online", false);
    s.last_seen_ms = field<std::int64_t>(h, "last_seen_ms", 0);
    s.hot = field<bool>(h, "hot", false);
    s.cpu = field<double>(h, "cpu", 0);
    s.cores = field<std::uint32_t>(h, "cores", 0);
    s.load1 = field<double>(h, "load1", 0);
    s.mem_total = field<std::uint64_t>(h, "mem_total", 0);
    s.mem_available = field<std::uint64_t>(h, "mem_available", 0);
    if (auto top = h.find("top"); top != h.end() && top->is_object()) {
        s.top_pid = field<int>(*top, "pid", 0);
        s.top_name = field<std::string>(*top, "name", "");
        s.top_cpu = field<double>(*top, "cpu", 0);
    }
    s.tcp_established = field<std::uint32_t>(h, "tcp_established", 0);
    s.tcp_listen = field<std::uint32_t>(h, "tcp_listen", 0);
    s.sockets_total = field<std::uint32_t>(h, "sockets_total", 0);
    s.seq = field<std::uint64_t>(h, "seq", 0);
    s.interval_ms = field<std::uint32_t>(h, "interval_ms", 0);
    s.gaps = field<std::uint64_t>(h, "gaps", 0);
    s.leaks = field<std::uint32_t>(h, "leaks", 0);
    s.opens_per_s = field<double>(h, "opens_per_s", 0);
    s.containers = field<std::uint32_t>(h, "containers", 0);
    s.hub = field<std::string>(h, "hub", "");
    return s;
}

}  // namespace

std::variant<FleetBatch, FleetBatchError> decode_fleet_batch(std::string_view text) {
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object()) return FleetBatchError{"not a JSON object"};
    try {
        FleetBatch b;
        b.hub = j.at("hub").get<std::string>();
        if (b.hub.empty()) return FleetBatchError{"empty hub name"};
        b.ts_ms = j.at("ts_ms").get<std::int64_t>();
        const auto& hosts = j.at("hosts");
        if (!hosts.is_array()) return FleetBatchError{"'hosts' is not an array"};
        b.hosts.reserve(hosts.size());
        for (const auto& h : hosts) {
            b.hosts.push_back(summary_from(h));
            if (b.hosts.back().host_id.empty()) return FleetBatchError{"a host without an id"};
            b.hosts.back().hub = b.hub;
        }
        return b;
    } catch (const json::exception& e) {
        return FleetBatchError{std::string("malformed batch: ") + e.what()};
    }
}

}  // namespace telehub::hub
