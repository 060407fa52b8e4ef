#include "agent/report/sample_text.hpp"

#include <cstdio>
#include <ctime>

namespace telehub::agent {
namespace {

std::string clock_time(std::int64_t ts_ms) {
    std::time_t t = static_cast<std::time_t>(ts_ms / 1000);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
    return buf;
}

double mem_used_pct(const MemStats& m) {
    return m.total ? 100.0 * static_cast<double>(m.total - std::min(m.available, m.total)) / static_cast<double>(m.total) : 0.0;
}

std::string mib(std::uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buf;
}

}  // namespace

std::string summary_line(const Sample& s) {
    char buf[512];
    int n = std::snprintf(buf, sizeof buf,
                          "%s %s cpu %5.1f%% usr %.1f sys %.1f io %.1f | load %.2f | mem %.0f%% | procs %u/%u",
                          clock_time(s.ts_ms).c_str(), s.host_id.c_str(), s.cpu.total, s.cpu.user, s.cpu.system,
                          s.cpu.iowait, s.load[0], mem_used_pct(s.mem), s.procs.total, s.procs.running);
    std::string line(buf, static_cast<std::size_t>(std::max(n, 0)));
    if (!s.top.empty()) {
        const auto& p = s.top.front();
        std::snprintf(buf, sizeof buf, " | top %s[%d] %.1f%%", p.name.c_str(), p.pid, p.cpu);
        line += buf;
    }
    const auto& t = s.sockets.tcp;
    std::snprintf(buf, sizeof buf, " | tcp est %u listen %u tw %u cw %u | udp %u unix %u", t[tcp_established],
                  t[tcp_listen], t[tcp_time_wait], t[tcp_close_wait], s.sockets.udp, s.sockets.unix_);
    line += buf;
    return line;
}

void write_sample_table(std::ostream& out, const Sample& s) {
    char buf[512];
    out << "host " << s.host_id << "  seq " << s.seq << "  at " << clock_time(s.ts_ms) << "  interval "
        << s.interval_ms << " ms\n\n";
    std::snprintf(buf, sizeof buf, "cpu   total %5.1f%%  user %5.1f  system %5.1f  iowait %5.1f  steal %5.1f\n",
                  s.cpu.total, s.cpu.user, s.cpu.system, s.cpu.iowait, s.cpu.steal);
    out << buf;
    for (std::size_t i = 0; i < s.cpu.per_core.size(); ++i) {
        std::snprintf(buf, sizeof buf, "  core %-3zu %5.1f%%\n", i, s.cpu.per_core[i]);
        out << buf;
    }
    std::snprintf(buf, sizeof buf, "load  %.2f %.2f %.2f\nmem   %s of %s available\nprocs %u total, %u running\n\n",
                  s.load[0], s.load[1], s.load[2], mib(s.mem.available).c_str(), mib(s.mem.total).c_str(),
                  s.procs.total, s.procs.running);
    out << buf;

    out << "top processes by cpu\n";
    std::snprintf(buf, sizeof buf, "%7s %7s %-16s %-10s %2s %6s %9s %9s %11s %4s %4s %5s %5s %5s  %s\n", "PID", "PPID",
                  "NAME", "USER", "S", "CPU%", "UTIME", "STIME", "RSS", "THR", "NI", "TCP", "UDP", "UNIX", "CMDLINE");
    out << buf;
    for (const auto& p : s.top) {
        std::snprintf(buf, sizeof buf, "%7d %7d %-16.16s %-10.10s %2c %6.1f %9llu %9llu %11s %4u %4d %5u %5u %5u  %.60s\n",
                      p.pid, p.ppid, p.name.c_str(), p.user.c_str(), p.state, p.cpu,
                      static_cast<unsigned long long>(p.utime), static_cast<unsigned long long>(p.stime),
                      mib(p.rss).c_str(), p.threads, p.nice, p.sockets.tcp, p.sockets.udp, p.sockets.unix_,
                      p.cmdline.c_str());
        out << buf;
    }

    out << "\nsockets (" << s.sockets.source << ")\n  tcp";
    for (int st = 1; st < tcp_state_count; ++st)
        out << ' ' << tcp_state_name(st) << ' ' << s.sockets.tcp[static_cast<std::size_t>(st)];
    out << "\n  udp " << s.sockets.udp << "  unix " << s.sockets.unix_ << "  raw " << s.sockets.raw
        << "  unattributed " << s.sockets.unattributed << "\n\nprocesses by socket count\n";
    std::snprintf(buf, sizeof buf, "%7s %-16s %6s %6s %6s %6s %6s\n", "PID", "NAME", "TOTAL", "EST", "LISTEN",
                  "CL_WAIT", "UNIX");
    out << buf;
    for (const auto& p : s.sockets.by_process) {
        std::snprintf(buf, sizeof buf, "%7d %-16.16s %6u %6u %6u %6u %6u\n", p.pid, p.name.c_str(), p.total,
                      p.tcp[tcp_established], p.tcp[tcp_listen], p.tcp[tcp_close_wait], p.unix_);
        out << buf;
    }
}

}  // namespace telehub::agent
