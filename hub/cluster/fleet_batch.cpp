#include "hub/cluster/fleet_batch.hpp"

#include <charconv>

#include <optional>
#include <type_traits>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "telehub/json_text.hpp"

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
    std::string out = "{\"hub\":" + json_text(hub) + ",\"ts_ms\":" + std::to_string(ts_ms) + ",";
    // What ?container=NAME matches on the other hubs: the names by host id,
    // for the hosts that list any (the summaries themselves do not carry them).
    json names = json::object();
    for (const auto& h : hosts)
        if (!h.container_names.empty()) names[h.host_id] = h.container_names;
    if (!names.empty()) out += "\"container_names\":" + json_text(names) + ",";
    out.append(body, 1);
    return out;
}

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// A field's value, or `fallback` when it is absent or null; a value of the
// wrong type is an error naming the field.
struct Reader {
    object o;
    std::string error;

    template <class T>
    T get(const char* key, T fallback) {
        element e;
        if (o[key].get(e) != simdjson::SUCCESS || e.is_null()) return fallback;
        T v{};
        simdjson::error_code ec;
        if constexpr (std::is_same_v<T, std::string>) {
            std::string_view sv;
            ec = e.get_string().get(sv);
            v = std::string(sv);
        } else if constexpr (std::is_same_v<T, bool>) {
            ec = e.get_bool().get(v);
        } else if constexpr (std::is_floating_point_v<T>) {
            ec = e.get_double().get(v);
        } else if constexpr (std::is_signed_v<T>) {
            std::int64_t n = 0;
            ec = e.get_int64().get(n);
            v = static_cast<T>(n);
        } else {
            std::uint64_t n = 0;
            ec = e.get_uint64().get(n);
            v = static_cast<T>(n);
        }
        if (ec != simdjson::SUCCESS && error.empty()) error = std::string("field '") + key + "' has the wrong type";
        return ec == simdjson::SUCCESS ? v : fallback;
    }
};

std::optional<HostSummary> summary_from(element e, std::string& error) {
    Reader r;
    if (e.get_object().get(r.o) != simdjson::SUCCESS) {
        error = "a host that is not an object";
        return std::nullopt;
    }
    HostSummary s;
    s.host_id = r.get<std::string>("host_id", "");
    s.hostname = r.get<std::string>("hostname", "");
    s.online = r.get<bool>("online", false);
    s.last_seen_ms = r.get<std::int64_t>("last_seen_ms", 0);
    s.hot = r.get<bool>("hot", false);
    s.cpu = r.get<double>("cpu", 0);
    s.cores = r.get<std::uint32_t>("cores", 0);
    s.load1 = r.get<double>("load1", 0);
    s.mem_total = r.get<std::uint64_t>("mem_total", 0);
    s.mem_available = r.get<std::uint64_t>("mem_available", 0);
    if (object top; r.o["top"].get_object().get(top) == simdjson::SUCCESS) {
        Reader t{top, {}};
        s.top_pid = t.get<int>("pid", 0);
        s.top_name = t.get<std::string>("name", "");
        s.top_cpu = t.get<double>("cpu", 0);
        if (r.error.empty()) r.error = t.error;
    }
    s.tcp_established = r.get<std::uint32_t>("tcp_established", 0);
    s.tcp_listen = r.get<std::uint32_t>("tcp_listen", 0);
    s.sockets_total = r.get<std::uint32_t>("sockets_total", 0);
    s.seq = r.get<std::uint64_t>("seq", 0);
    s.interval_ms = r.get<std::uint32_t>("interval_ms", 0);
    s.gaps = r.get<std::uint64_t>("gaps", 0);
    s.leaks = r.get<std::uint32_t>("leaks", 0);
    s.opens_per_s = r.get<double>("opens_per_s", 0);
    s.containers = r.get<std::uint32_t>("containers", 0);
    if (!r.error.empty()) {
        error = "host '" + s.host_id + "': " + r.error;
        return std::nullopt;
    }
    return s;
}

}  // namespace

struct FleetBatchDecoder::Impl {
    simdjson::dom::parser parser;
    std::string padded;
};

FleetBatchDecoder::FleetBatchDecoder() : impl_(std::make_unique<Impl>()) {}
FleetBatchDecoder::~FleetBatchDecoder() = default;

std::variant<FleetBatch, FleetBatchError> FleetBatchDecoder::decode(std::string_view text) {
    auto& padded = impl_->padded;
    padded.assign(text);
    padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
    element doc;
    if (auto e = impl_->parser.parse(padded.data(), text.size(), false).get(doc); e != simdjson::SUCCESS)
        return FleetBatchError{std::string("not JSON: ") + simdjson::error_message(e)};
    Reader root;
    if (doc.get_object().get(root.o) != simdjson::SUCCESS) return FleetBatchError{"not a JSON object"};
    FleetBatch b;
    b.hub = root.get<std::string>("hub", "");
    if (b.hub.empty()) return FleetBatchError{"no hub name"};
    b.ts_ms = root.get<std::int64_t>("ts_ms", -1);
    if (!root.error.empty() || b.ts_ms < 0) return FleetBatchError{"no 'ts_ms' clock"};
    simdjson::dom::array hosts;
    if (root.o["hosts"].get_array().get(hosts) != simdjson::SUCCESS) return FleetBatchError{"'hosts' is not an array"};
    b.hosts.reserve(hosts.size());
    object names;
    const bool have_names = root.o["container_names"].get_object().get(names) == simdjson::SUCCESS;
    std::string error;
    for (element h : hosts) {
        auto s = summary_from(h, error);
        if (!s) return FleetBatchError{"malformed batch: " + error};
        if (s->host_id.empty()) return FleetBatchError{"a host without an id"};
        s->hub = b.hub;
        if (simdjson::dom::array listed; have_names && names[s->host_id].get_array().get(listed) == simdjson::SUCCESS)
            for (element n : listed)
                if (std::string_view name; n.get_string().get(name) == simdjson::SUCCESS) s->container_names.emplace_back(name);
        b.hosts.push_back(std::move(*s));
    }
    return b;
}

std::variant<FleetBatch, FleetBatchError> decode_fleet_batch(std::string_view text) {
    FleetBatchDecoder d;
    return d.decode(text);
}

std::optional<std::int64_t> batch_ts_of(std::string_view text, std::string_view hub) {
    if (!is_batch_of(text, hub)) return std::nullopt;
    constexpr std::string_view field = "\",\"ts_ms\":";
    text.remove_prefix(std::string_view("{\"hub\":\"").size() + hub.size());
    if (text.substr(0, field.size()) != field) return std::nullopt;
    text.remove_prefix(field.size());
    std::int64_t ts = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), ts);
    if (r.ec != std::errc() || r.ptr == text.data()) return std::nullopt;
    return ts;
}

bool is_batch_of(std::string_view text, std::string_view hub) {
    // encode_fleet_batch writes {"hub":"NAME",...; hub names need no escaping (letters, digits, . - _).
    constexpr std::string_view head = "{\"hub\":\"";
    return text.size() > head.size() + hub.size() && text.substr(0, head.size()) == head &&
           text.substr(head.size(), hub.size()) == hub && text[head.size() + hub.size()] == '"';
}

}  // namespace telehub::hub
