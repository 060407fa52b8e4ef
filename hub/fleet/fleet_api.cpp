#include "hub/fleet/fleet_api.hpp"

#include <charconv>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace telehub::hub {
namespace {

using json = nlohmann::json;

/* rows in one reply: 50 unless asked, at most 1,000 */
constexpr std::size_t default_limit = 50;
constexpr std::size_t max_limit = 1000;

struct Params {
    FleetSort sort = FleetSort::cpu;
    std::size_t limit = default_limit;
    std::string error;  // names the parameter; empty when both were fine
};

Params parse_params(std::string_view query) {
    Params p;
    bool bad = false;
    if (auto s = query_param(query, "sort", bad)) {
        if (*s == "cpu") p.sort = FleetSort::cpu;
        else if (*s == "sockets") p.sort = FleetSort::sockets;
        else {
            p.error = "parameter 'sort' must be cpu or sockets, got '" + *s + "'";
            return p;
        }
    } else if (bad) {
        p.error = "parameter 'sort' is not valid percent-encoding";
        return p;
    }
    bad = false;
    if (auto l = query_param(query, "limit", bad)) {
        std::size_t n = 0;
        auto [end, ec] = std::from_chars(l->data(), l->data() + l->size(), n);
        if (ec != std::errc() || end != l->data() + l->size() || n < 1 || n > max_limit)
            p.error = "parameter 'limit' must be a whole number from 1 to " + std::to_string(max_limit) + ", got '" + *l + "'";
        else p.limit = n;
    } else if (bad) {
        p.error = "parameter 'limit' is not valid percent-encoding";
    }
    return p;
}

json row_json(const FleetProcess& r) {
    json tcp = json::object();
    for (int s = 1; s < tcp_state_count; ++s)
        if (r.tcp[static_cast<std::size_t>(s)]) tcp[std::string(tcp_state_name(s))] = r.tcp[static_cast<std::size_t>(s)];
    json hosts = json::array();
    for (const auto& h : r.host_list)
        hosts.push_back({{"host_id", h.host_id}, {"hostname", h.hostname}, {"cpu", h.cpu}, {"cpu_max", h.cpu_max},
                         {"processes", h.processes}, {"sockets", h.sockets}, {"leak", h.leak}});
    return {{"name", r.name},
            {"hosts", r.hosts},
            {"processes", r.processes},
            {"cpu_total", r.cpu_total},
            {"cpu_max", r.cpu_max},
            {"sockets", {{"total", r.sockets}, {"tcp", tcp}, {"udp", r.udp}, {"unix", r.unix_}}},
            {"leak_hosts", r.leak_host_count},
            {"leak_host_ids", r.leak_hosts},
            {"host_list", hosts}};
}

}  // namespace

HttpReply fleet_processes_reply(const FleetProcesses& fleet, std::string_view query) {
    auto p = parse_params(query);
    if (!p.error.empty()) return error_reply(400, "bad_parameter", p.error);
    json rows = json::array();
    for (const FleetProcess& r : fleet.top(p.sort, p.limit)) rows.push_back(row_json(r));
    json body = {{"sort", p.sort == FleetSort::cpu ? "cpu" : "sockets"},
                 {"limit", p.limit},
                 {"hosts", fleet.host_count()},
                 {"names", fleet.name_count()},
                 {"processes", std::move(rows)}};
    return {200, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}

}  // namespace telehub::hub
