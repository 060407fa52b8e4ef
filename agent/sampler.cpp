#include "agent/sampler.hpp"

#include <chrono>

#include "agent/cpu_collector.hpp"
#include "agent/process_collector.hpp"
#include "agent/socket_collector.hpp"

namespace telehub::agent {

struct Sampler::Impl {
    explicit Impl(SamplerOptions o)
        : options(std::move(o)),
          cpu(options.proc_root),
          processes(options.proc_root),
          sockets(options.proc_root, options.netlink) {}

    SamplerOptions options;
    CpuCollector cpu;
    ProcessCollector processes;
    SocketCollector sockets;
};

Sampler::Sampler(SamplerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Sampler::~Sampler() = default;

bool Sampler::sample(Sample& out) {
    auto& m = *impl_;
    out.host_id = m.options.host_id;
    out.ts_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    bool rates = m.cpu.collect(out);
    // Processes are scanned every tick, even the priming one, so that their
    // tick counts are ready for the first real interval.
    m.processes.scan(m.cpu.total_delta(), m.cpu.cores());
    out.procs.total = m.processes.count();
    m.sockets.collect(m.processes.processes(), m.options.top_sockets, out.sockets);
    if (!rates) return false;
    m.processes.top(m.options.top_n, out.top);
    for (auto& p : out.top) p.sockets = m.sockets.counts_for(p.pid);
    return true;
}

}  // namespace telehub::agent
