#include "agent/report/sockwatch.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace telehub::agent {
namespace {

// "12 (10/2/0)": all, then tcp/udp/other; the seed's "other" takes unix too.
std::string split(const FamilyCounts& c) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%u (%u/%u/%u)", c.total(), c.tcp, c.udp, c.unix_ + c.other);
    return buf;
}

}  // namespace

std::vector<ProcessChurnRecord> sockwatch_rows(const std::unordered_map<int, ProcessChurnRecord>& records, int pid,
                                               const std::string& name) {
    std::vector<ProcessChurnRecord> rows;
    for (const auto& [p, r] : records) {
        if (pid != 0 && p != pid) continue;
        if (!name.empty() && r.name != name) continue;
        if (r.opened_total.total() + r.closed_total.total() + r.open.total() == 0) continue;
        rows.push_back(r);
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        auto ta = a.opened_total.total(), tb = b.opened_total.total();
        return ta != tb ? ta > tb : a.pid < b.pid;
    });
    return rows;
}

void write_sockwatch(std::ostream& out, std::int64_t ts_ms, double interval_s,
                     const std::vector<ProcessChurnRecord>& rows) {
    std::time_t t = static_cast<std::time_t>(ts_ms / 1000);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char stamp[16];
    std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s  sockets per process; counts are all (tcp/udp/other); last = last %gs\n", stamp,
                  interval_s);
    out << buf;
    std::snprintf(buf, sizeof buf, "%7s %-16s %-20s %-18s %-20s %-18s %s\n", "PID", "NAME", "SOCKET since start",
                  "SOCKET last", "CLOSE since start", "CLOSE last", "OPEN");
    out << buf;
    for (const auto& r : rows) {
        std::snprintf(buf, sizeof buf, "%7d %-16.16s %-20s %-18s %-20s %-18s %s\n", r.pid, r.name.c_str(),
                      split(r.opened_total).c_str(), split(r.opened).c_str(), split(r.closed_total).c_str(),
                      split(r.closed).c_str(), split(r.open).c_str());
        out << buf;
    }
    if (rows.empty()) out << "  (no process matched)\n";
    out << '\n';
    out.flush();
}

}  // namespace telehub::agent
