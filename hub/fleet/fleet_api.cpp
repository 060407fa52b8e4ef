#include "hub/fleet/fleet_api.hpp"

#include <charconv>
#include <optional>
#include <string>

#include "telehub/json_writer.hpp"

namespace telehub::hub {
namespace {

// A row with a full host list is about 3 KB of JSON: reserve once instead of growing.
constexpr std::size_t row_bytes_guess = 3072;

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

void append_row(std::string& out, const FleetProcess& r) {
    JsonObjectWriter row(out);
    row.str("name", r.name)
        .num("hosts", r.hosts)
        .num("processes", r.processes)
        .num("cpu_total", r.cpu_total)
        .num("cpu_max", r.cpu_max);
    JsonObjectWriter sockets(row.key("sockets"));
    sockets.num("total", r.sockets);
    JsonObjectWriter tcp(sockets.key("tcp"));
    for (int s = 1; s < tcp_state_count; ++s)
        if (auto n = r.tcp[static_cast<std::size_t>(s)]) tcp.num(tcp_state_name(s), n);
    tcp.close();
    sockets.num("udp", r.udp).num("unix", r.unix_).close();
    row.num("leak_hosts", r.leak_host_count);
    append_json_array(row.key("leak_host_ids"), r.leak_hosts, append_json_string);
    append_json_array(row.key("host_list"), r.host_list, [](std::string& out, const FleetProcessHost& h) {
        JsonObjectWriter(out)
            .str("host_id", h.host_id)
            .str("hostname", h.hostname)
            .num("cpu", h.cpu)
            .num("cpu_max", h.cpu_max)
            .num("processes", h.processes)
            .num("sockets", h.sockets)
            .flag("leak", h.leak)
            .close();
    });
    row.close();
}

}  // namespace

HttpReply fleet_processes_reply(const FleetProcesses& fleet, std::string_view query) {
    auto p = parse_params(query);
    if (!p.error.empty()) return error_reply(400, "bad_parameter", p.error);
    const auto rows = fleet.top(p.sort, p.limit);
    std::string body;
    body.reserve(128 + rows.size() * row_bytes_guess);
    JsonObjectWriter reply(body);
    reply.str("sort", p.sort == FleetSort::cpu ? "cpu" : "sockets")
        .num("limit", p.limit)
        .num("hosts", fleet.host_count())
        .num("names", fleet.name_count());
    append_json_array(reply.key("processes"), rows, append_row);
    reply.close();
    return {200, "application/json", std::move(body), {}};
}

}  // namespace telehub::hub
