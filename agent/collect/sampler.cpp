#include "agent/collect/sampler.hpp"

#include <chrono>


#include "agent/collect/containers/containers.hpp"
#include "agent/collect/host/host.hpp"
#include "agent/collect/sockets/sockets.hpp"
#include "agent/collect/processes/processes.hpp"

namespace telehub::agent {

namespace {

void fill_exact(const NetCountersDelta& d, HostChurn& c) {
    c.tcp_active_opens = d.per_interval.tcp_active_opens;
    c.tcp_passive_opens = d.per_interval.tcp_passive_opens;
    c.tcp_attempt_fails = d.per_interval.tcp_attempt_fails;
    c.tcp_estab_resets = d.per_interval.tcp_estab_resets;
    c.tcp_out_rsts = d.per_interval.tcp_out_rsts;
    c.udp_in_datagrams = d.per_interval.udp_in_datagrams;
    c.udp_out_datagrams = d.per_interval.udp_out_datagrams;
    c.sockets_used = d.now.sockets_used;
    c.tcp_inuse = d.now.tcp_inuse;
    c.tcp_orphan = d.now.tcp_orphan;
    c.tcp_tw = d.now.tcp_tw;
    c.udp_inuse = d.now.udp_inuse;
}

}  // namespace

struct Sampler::Impl {
    explicit Impl(SamplerOptions o)
        : options(std::move(o)),
          cpu(options.proc_root),
          processes(options.proc_root),
          sockets(options.proc_root, options.netlink, options.setns, /*keep_addresses=*/false),
          net(options.proc_root),
          churn(options.leak),
          containers(ContainerOptions{options.proc_root, {}, options.top_containers}) {}

    SamplerOptions options;
    CpuCollector cpu;
    ProcessCollector processes;
    SocketCollector sockets;
    NetCountersCollector net;
    SocketChurnCollector churn;
    ContainerCollector containers;
    NetCountersDelta net_delta;

    void fill_churn(bool exact, Sample& out) {
        out.sockets.churn = {};
        out.sockets.churn.exact = exact;
        if (exact) fill_exact(net_delta, out.sockets.churn);
        churn.fill(options.top_sockets, out.sockets, out.leaks);
    }
};

Sampler::Sampler(SamplerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Sampler::~Sampler() = default;

const ProcessCollector& Sampler::processes() const { return impl_->processes; }
const SocketCollector& Sampler::sockets() const { return impl_->sockets; }
const ContainerCollector& Sampler::containers() const { return impl_->containers; }

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
    m.containers.update(m.processes.processes());
    m.sockets.collect(m.processes.processes(), m.options.top_sockets, out.sockets);
    m.churn.update(out.ts_ms, m.processes.processes(), m.sockets);
    bool exact = m.net.collect(m.net_delta);
    if (!rates) return false;
    m.fill_churn(exact, out);
    m.processes.top(m.options.top_n, out.top);
    for (auto& p : out.top) p.sockets = m.sockets.counts_for(p.pid);
    m.containers.fill(m.processes.processes(), m.sockets, m.churn, out);
    return true;
}

}  // namespace telehub::agent
