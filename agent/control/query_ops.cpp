#include "agent/control/query_ops.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include <pwd.h>

#include "agent/report/report.hpp"
#include "agent/collect/processes/processes.hpp"
#include "agent/collect/sockets/sockets.hpp"

namespace telehub::agent {

namespace {

using json = nlohmann::json;

json processes_json(const std::vector<ProcessDetails>& list) {
    json out = json::array();
    for (const ProcessDetails& p : list) out.push_back(process_json(p));
    return out;
}

// getpwnam_r: nullopt when the passwd database has no such user.
std::optional<std::uint32_t> uid_of(const std::string& name) {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) return std::nullopt;
    return static_cast<std::uint32_t>(found->pw_uid);
}

std::vector<ConnectionRow> fresh_connection_rows(const QuerySources& s, std::string& error) {
    ProcessCollector processes(s.proc_root);
    processes.scan(0, 1);
    SocketCollector sockets(s.proc_root, s.netlink, s.setns);
    HostSockets host;
    if (!sockets.collect(processes.processes(), 0, host)) {
        error = "cannot read the socket tables: " + sockets.error();
        return {};
    }
    return connection_rows(
        sockets.table(), [&](std::size_t pos) { return sockets.owner_at(pos); }, s.container_of);
}

}  // namespace

QueryOps::QueryOps(QuerySources sources) : sources_(std::move(sources)), reader_(sources_.proc_root) {}

CommandOutcome QueryOps::ps() {
    if (!reader_.ok()) return CommandFailure{"internal", "cannot list " + sources_.proc_root};
    auto list = reader_.read_all(sources_.details);
    std::string summary = std::to_string(list.size()) + " processes";
    return CommandOk{json{{"processes", processes_json(list)}}, std::move(summary)};
}

CommandOutcome QueryOps::users() {
    if (!reader_.ok()) return CommandFailure{"internal", "cannot list " + sources_.proc_root};
    std::map<std::string, std::uint32_t> running;
    for (std::uint32_t uid : reader_.real_uids()) ++running[reader_.user_name(uid)];
    std::vector<std::pair<std::string, std::uint32_t>> order(running.begin(), running.end());
    // Most processes first; the map already ordered ties by name.
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    json list = json::array();
    for (const auto& [name, n] : order) list.push_back(json{{"username", name}, {"running", n}});
    std::string summary = std::to_string(order.size()) + " users";
    return CommandOk{json{{"users", std::move(list)}}, std::move(summary)};
}

CommandOutcome QueryOps::tasks(const std::string& username) {
    auto uid = uid_of(username);
    if (!uid) return CommandFailure{"no_such_user", "no user '" + username + "' on this host"};
    if (!reader_.ok()) return CommandFailure{"internal", "cannot list " + sources_.proc_root};
    auto list = reader_.read_all(sources_.details, *uid);
    std::string summary = std::to_string(list.size()) + " processes of " + username;
    return CommandOk{json{{"username", username}, {"processes", processes_json(list)}}, std::move(summary)};
}

CommandOutcome QueryOps::sockets(const std::string& format) {
    std::vector<ConnectionRow> rows;
    if (sources_.sockets != nullptr && sources_.sockets->table().keeps_endpoints()) {
        // The sampler's table of its last tick: up to one interval old, and free.
        const SocketCollector& sc = *sources_.sockets;
        rows = connection_rows(
            sc.table(), [&](std::size_t pos) { return sc.owner_at(pos); }, sources_.container_of);
    } else {
        // A streaming sampler keeps no addresses (SocketTable): a dump of the report's own.
        std::string error;
        rows = fresh_connection_rows(sources_, error);
        if (!error.empty()) return CommandFailure{"internal", error};
    }
    std::string summary = std::to_string(rows.size()) + " connections";
    if (format == "json")
        return CommandOk{json{{"format", "json"}, {"connections", connection_rows_json(rows)}}, std::move(summary)};
    std::ostringstream text;
    write_connections_csv(rows, text);
    return CommandOk{json{{"format", "csv"}, {"text", text.str()}}, std::move(summary)};
}

CommandOutcome QueryOps::top(std::size_t n, const std::string& format) {
    auto rows = read_top_ticks(sources_.proc_root, n);  // throws only when proc_root cannot be listed
    std::string summary = std::to_string(rows.size()) + " processes";
    if (format == "json")
        return CommandOk{json{{"format", "json"}, {"processes", top_rows_json(rows)}}, std::move(summary)};
    std::ostringstream text;
    write_top_ticks(text, rows, true);
    return CommandOk{json{{"format", "csv"}, {"text", text.str()}}, std::move(summary)};
}

}  // namespace telehub::agent
