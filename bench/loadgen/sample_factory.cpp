#include "loadgen/sample_factory.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace telehub::loadgen {
namespace {

struct ProcessKind {
    const char* name;
    const char* cmdline;
    const char* user;
    std::uint64_t rss_mb;
    std::uint32_t threads;
    std::uint32_t tcp;  // typical established connections
    std::uint32_t listen;
    std::uint32_t unix_;
};

// What the busiest processes of a fleet of web/database/cache hosts look like.
constexpr std::array<ProcessKind, 16> catalog = {{
    {"nginx", "nginx: worker process", "www-data", 48, 1, 180, 2, 2},
    {"java", "java -Xmx4g -jar /opt/orders/orders-service.jar", "app", 2900, 94, 140, 1, 4},
    {"postgres", "postgres: 15/main: orders orders 10.0.4.17(51234) idle", "postgres", 310, 1, 60, 1, 3},
    {"node", "node /srv/checkout/dist/server.js", "node", 410, 11, 95, 1, 2},
    {"redis-server", "/usr/bin/redis-server 127.0.0.1:6379", "redis", 220, 5, 120, 1, 1},
    {"python3", "/usr/bin/python3 gunicorn -w 8 ingest.wsgi", "ingest", 180, 3, 40, 1, 2},
    {"dockerd", "/usr/bin/dockerd -H fd://", "root", 95, 24, 6, 0, 30},
    {"containerd", "/usr/bin/containerd", "root", 60, 18, 2, 0, 24},
    {"envoy", "envoy -c /etc/envoy/envoy.yaml", "envoy", 140, 16, 220, 3, 2},
    {"kafka", "java -Xmx6G kafka.Kafka server.properties", "kafka", 6200, 120, 300, 2, 1},
    {"mysqld", "/usr/sbin/mysqld", "mysql", 1500, 38, 80, 2, 1},
    {"prometheus", "/usr/bin/prometheus --config.file=prometheus.yml", "prometheus", 900, 14, 160, 1, 1},
    {"sshd", "sshd: deploy@pts/0", "root", 8, 1, 1, 1, 2},
    {"systemd-journal", "/lib/systemd/systemd-journald", "root", 40, 1, 0, 0, 40},
    {"kworker/u16:2", "", "root", 0, 1, 0, 0, 0},
    {"telehub-agent", "telehub-agent --hub ws://hub:8080/ws/agent", "telehub", 12, 2, 1, 0, 1},
}};

constexpr const char* process_states = "RSSSSSSSSD";

std::uint64_t mix(std::uint64_t x) {
    // splitmix64: well-spread bits from consecutive inputs.
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// A value in [0, 1) from any number of keys.
double unit(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) {
    return double(mix(mix(mix(a) ^ b) ^ c) >> 11) * 0x1.0p-53;
}

double clamp_pct(double v) { return std::clamp(v, 0.0, 100.0); }

}  // namespace

SampleFactory::SampleFactory(FleetShape shape) : shape_(shape) {}

bool SampleFactory::hot(std::size_t host) const { return unit(shape_.seed, host, 1) < shape_.hot_fraction; }

std::string SampleFactory::host_id(std::size_t host) const {
    char buf[48];
    std::snprintf(buf, sizeof buf, "lg%06zu-%016llx%08llx", host % 1000000,
                  static_cast<unsigned long long>(mix(shape_.seed ^ host)),
                  static_cast<unsigned long long>(mix(host) & 0xffffffffULL));
    return buf;
}

long host_index_of(std::string_view id) {
    if (id.size() < 9 || id.substr(0, 2) != "lg" || id[8] != '-') return -1;
    long v = 0;
    auto [p, ec] = std::from_chars(id.data() + 2, id.data() + 8, v);
    if (ec != std::errc() || p != id.data() + 8) return -1;
    return v;
}

double SampleFactory::cpu_total(std::size_t host, std::uint64_t tick) const {
    // A slow wave with its own period and phase per host, plus noise; hot
    // hosts sit high, and any host spikes now and then.
    double base = hot(host) ? 82 + 15 * unit(shape_.seed, host, 2) : 3 + 45 * unit(shape_.seed, host, 2);
    double period = 30 + 270 * unit(shape_.seed, host, 3);
    double phase = 6.283185307179586 * unit(shape_.seed, host, 4);
    double wave = 8 * std::sin(6.283185307179586 * double(tick) / period + phase);
    double noise = 6 * (unit(shape_.seed ^ 0x51, host, tick) - 0.5);
    bool spike = unit(shape_.seed ^ 0x77, host, tick / 20) < 0.02;
    return clamp_pct((spike ? 95 : base) + wave + noise);
}

Hello SampleFactory::hello(std::size_t host, std::int64_t instance_ms) const {
    Hello h;
    h.protocol = 1;
    h.host_id = host_id(host);
    char name[32];
    static constexpr const char* roles[] = {"web", "api", "db", "cache", "queue", "batch"};
    std::snprintf(name, sizeof name, "%s-%zu", roles[host % 6], host);
    h.hostname = name;
    h.kernel = "6.1.0-18-amd64";
    h.cores = shape_.cores;
    h.boot_time = 1763000000 + std::int64_t(host % 86400);
    h.interval_ms = shape_.interval_ms;
    h.agent_version = "0.1.0";
    h.instance = instance_ms;
    h.capabilities = {"kill", "renice"};
    return h;
}

Sample SampleFactory::sample(std::size_t host, std::uint64_t tick) const {
    const std::uint64_t seed = shape_.seed;
    Sample s;
    s.host_id = host_id(host);
    s.seq = tick + 1;
    s.interval_ms = shape_.interval_ms;
    double total = cpu_total(host, tick);
    s.cpu.total = total;
    s.cpu.user = total * 0.68;
    s.cpu.system = total * 0.27;
    s.cpu.iowait = 2 * unit(seed, host, tick * 7 + 1);
    s.cpu.steal = 0.4 * unit(seed, host, tick * 7 + 2);
    s.cpu.per_core.resize(shape_.cores);
    for (std::uint32_t c = 0; c < shape_.cores; ++c)
        s.cpu.per_core[c] = clamp_pct(total + 24 * (unit(seed, host * 64 + c, tick) - 0.5));
    double cores = shape_.cores;
    // /proc/loadavg has two decimals.
    auto two = [](double v) { return std::round(v * 100) / 100; };
    s.load = {two(cores * total / 100 + unit(seed, host, tick * 7 + 3)), two(cores * total / 110), two(cores * total / 120)};
    s.mem.total = std::uint64_t(16) << 30 << (host % 3);
    s.mem.available = std::uint64_t(double(s.mem.total) * (0.2 + 0.6 * unit(seed, host, 5)));
    s.procs.total = 250 + std::uint32_t(host % 200);
    s.procs.running = 1 + std::uint32_t(total / 25);

    // Top processes share the host's busy time, biggest first.
    const std::size_t first = mix(seed ^ host) % catalog.size();
    double left = total * cores;
    s.top.resize(shape_.top_processes);
    for (std::size_t k = 0; k < s.top.size(); ++k) {
        const auto& kind = catalog[(first + k) % catalog.size()];
        auto& p = s.top[k];
        p.pid = int(1000 + (mix(host * 131 + k) % 60000));
        p.ppid = k == 0 ? 1 : s.top[0].pid;
        p.name = kind.name;
        p.cmdline = kind.cmdline;
        p.user = kind.user;
        p.state = process_states[mix(host + k + tick) % 10];
        double share = left * (0.45 + 0.1 * unit(seed, host * 16 + k, tick));
        p.cpu = share;
        left -= share;
        p.utime = 1000 * (k + 1) + tick * std::uint64_t(share / 2 + 1);
        p.stime = 400 * (k + 1) + tick * std::uint64_t(share / 6 + 1);
        p.rss = kind.rss_mb << 20;
        p.threads = kind.threads;
        p.nice = k == 9 ? 10 : 0;
        p.sockets = {kind.tcp + kind.listen, k % 3 == 0 ? 2u : 0u, kind.unix_};
    }

    auto& sk = s.sockets;
    sk.source = "netlink";
    sk.udp = 6;
    sk.unix_ = 180 + std::uint32_t(host % 40);
    sk.raw = 0;
    sk.unattributed = 3;
    std::uint32_t established = 0, listen = 0;
    sk.by_process.resize(shape_.by_process);
    for (std::size_t k = 0; k < sk.by_process.size(); ++k) {
        const auto& kind = catalog[(first + k) % catalog.size()];
        auto& bp = sk.by_process[k];
        bp.pid = s.top[k % s.top.size()].pid;
        bp.name = kind.name;
        bp.tcp[tcp_established] = kind.tcp + std::uint32_t(20 * unit(seed, host * 16 + k, tick));
        bp.tcp[tcp_listen] = kind.listen;
        bp.tcp[tcp_time_wait] = kind.tcp / 10;
        bp.tcp[tcp_close_wait] = k == 3 ? 2 : 0;
        bp.udp = k % 3 == 0 ? 2 : 0;
        bp.unix_ = kind.unix_;
        bp.total = bp.tcp[tcp_established] + bp.tcp[tcp_listen] + bp.tcp[tcp_time_wait] + bp.tcp[tcp_close_wait] +
                   bp.udp + bp.unix_;
        established += bp.tcp[tcp_established];
        listen += bp.tcp[tcp_listen];
    }
    // Sorted by total, as the agent reports them.
    std::sort(sk.by_process.begin(), sk.by_process.end(),
              [](const ProcessSockets& a, const ProcessSockets& b) { return a.total > b.total; });
    sk.tcp[tcp_established] = established + 12;
    sk.tcp[tcp_listen] = listen + 4;
    sk.tcp[tcp_time_wait] = established / 8;
    sk.tcp[tcp_close_wait] = 2;
    sk.tcp[tcp_fin_wait2] = 1;
    sk.tcp[tcp_syn_recv] = std::uint32_t(3 * unit(seed, host, tick * 7 + 4));
    return s;
}

}  // namespace telehub::loadgen
