#include "hub/state/host_metrics.hpp"

#include <algorithm>

namespace telehub::hub {

double opens_per_second(const Sample& s) {
    const auto& c = s.sockets.churn;
    const double opens = c.exact ? static_cast<double>(c.tcp_active_opens + c.tcp_passive_opens) : c.opened;
    return s.interval_ms > 0 ? opens * 1000.0 / s.interval_ms : 0;
}

void fill_sample_gauges(SampleGauges& out, const Sample& s, std::size_t top_n) {
    out.cpu = s.cpu.total;
    out.cpu_user = s.cpu.user;
    out.cpu_system = s.cpu.system;
    out.cpu_iowait = s.cpu.iowait;
    out.cpu_steal = s.cpu.steal;
    out.load = s.load;
    out.mem_total = s.mem.total;
    out.mem_available = s.mem.available;
    out.procs_total = s.procs.total;
    out.procs_running = s.procs.running;
    out.tcp = s.sockets.tcp;
    out.udp = s.sockets.udp;
    out.unix_ = s.sockets.unix_;
    out.raw = s.sockets.raw;
    out.opens_per_s = opens_per_second(s);
    out.leaks = s.leak_count();
    const std::size_t n = std::min(top_n, s.top.size());
    out.top.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& p = s.top[i];
        out.top[i] = {p.pid, p.name, p.cpu, p.rss, p.threads};
    }
}

}  // namespace telehub::hub
