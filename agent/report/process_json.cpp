#include "agent/report/process_json.hpp"

#include "telehub/tcp_state.hpp"

namespace telehub::agent {

namespace {

using json = nlohmann::json;

json ids_json(const IdTriple& ids) {
    return json{{"real", ids.real}, {"effective", ids.effective}, {"saved", ids.saved}};
}

template <class T>
json or_null(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

}  // namespace

json connections_json(const ProcessSocketTally& t) {
    json out = json::object();
    for (int s = 1; s < tcp_state_count; ++s)
        if (t.tcp[static_cast<std::size_t>(s)] > 0) out[std::string(tcp_state_name(s))] = t.tcp[static_cast<std::size_t>(s)];
    out["udp"] = t.udp;
    out["unix"] = t.unix_;
    return out;
}

json process_json(const ProcessDetails& p) {
    json j;
    j["pid"] = p.pid;
    j["ppid"] = p.ppid;
    j["name"] = p.name;
    j["exe"] = or_null(p.exe);
    j["cmdline"] = or_null(p.cmdline);
    j["cwd"] = or_null(p.cwd);
    j["username"] = p.username;
    j["uids"] = ids_json(p.uids);
    j["gids"] = ids_json(p.gids);
    j["status"] = p.status;
    j["nice"] = p.nice;
    j["create_time"] = p.create_time;
    j["cpu_percent"] = p.cpu_percent;
    j["cpu_times"] = json{{"user", p.cpu_user}, {"system", p.cpu_system}};
    j["memory_info"] = json{{"rss", p.rss}, {"vms", p.vms}};
    j["memory_percent"] = or_null(p.memory_percent);
    j["num_threads"] = p.num_threads;
    j["num_fds"] = or_null(p.num_fds);
    j["num_ctx_switches"] = p.ctx_voluntary && p.ctx_involuntary
                                ? json{{"voluntary", *p.ctx_voluntary}, {"involuntary", *p.ctx_involuntary}}
                                : json(nullptr);
    j["terminal"] = or_null(p.terminal);
    j["connections"] = p.connections ? connections_json(*p.connections) : json(nullptr);
    return j;
}

json connection_rows_json(std::span<const ConnectionRow> rows) {
    json out = json::array();
    for (const ConnectionRow& r : rows) {
        json row{{"pid", r.pid < 0 ? json(nullptr) : json(r.pid)},
                 {"laddr", r.laddr},
                 {"raddr", r.raddr},
                 {"status", r.status}};
        if (!r.container.empty()) row["container"] = r.container;
        out.push_back(std::move(row));
    }
    return out;
}

json top_rows_json(std::span<const TopTicksRow> rows) {
    json out = json::array();
    for (const TopTicksRow& r : rows)
        out.push_back(json{{"name", r.name}, {"pid", r.pid}, {"utime", r.utime}, {"stime", r.stime}});
    return out;
}

}  // namespace telehub::agent
