#include "agent/sockwatch.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <thread>

#include "agent/process_collector.hpp"
#include "agent/socket_collector.hpp"

namespace telehub::agent {
namespace {

volatile std::sig_atomic_t stop_requested = 0;

// "12 (10/2/0)": all, then tcp/udp/other; the seed's "other" takes unix too.
std::string split(const FamilyCounts& c) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%u (%u/%u/%u)", c.total(), c.tcp, c.udp, c.unix_ + c.other);
    return buf;
}

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
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

int run_sockwatch(const AgentOptions& o, std::ostream& out) {
    std::signal(SIGINT, [](int) { stop_requested = 1; });
    std::signal(SIGTERM, [](int) { stop_requested = 1; });
    ProcessCollector processes(o.proc_root);
    SocketCollector sockets(o.proc_root, o.netlink);
    SocketChurnCollector churn;
    HostSockets host;
    auto period = std::chrono::duration<double>(o.interval_s);
    auto next = std::chrono::steady_clock::now();
    // Tick 0 is the baseline; each later tick reports the interval before it.
    for (std::size_t tick = 0; !stop_requested; ++tick) {
        processes.scan(0, 1);
        if (!sockets.collect(processes.processes(), 0, host))
            throw std::runtime_error("cannot read the socket tables: " + sockets.error());
        auto ts = now_ms();
        churn.update(ts, processes.processes(), sockets);
        if (tick > 0) {
            write_sockwatch(out, ts, o.interval_s, sockwatch_rows(churn.processes(), o.watch_pid, o.watch_name));
            if (o.count != 0 && tick >= o.count) break;
        }
        next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(period);
        // Short sleeps so that SIGINT ends the wait promptly.
        while (!stop_requested && std::chrono::steady_clock::now() < next)
            std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
                next - std::chrono::steady_clock::now(), std::chrono::milliseconds(100)));
    }
    return 0;
}

}  // namespace telehub::agent
