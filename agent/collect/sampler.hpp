// One sample from all collectors: cpu, processes, sockets. Collectors keep
// their buffers between ticks; the sampler only sequences them and joins
// per-process socket counts onto the top-N table.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "agent/collect/sockets/sockets.hpp"
#include "telehub/sample.hpp"

namespace telehub::agent {

struct SamplerOptions {
    std::string proc_root = "/proc";
    std::string host_id;
    std::size_t top_n = 10;
    std::size_t top_sockets = 10;
    bool netlink = true;
    bool setns = true;  // false: other network namespaces from /proc/PID/net (--no-setns)
    std::size_t top_containers = 20;
    LeakOptions leak;
};

class ProcessCollector;
class SocketCollector;
class ContainerCollector;

class Sampler {
public:
    explicit Sampler(SamplerOptions options);
    ~Sampler();
    Sampler(const Sampler&) = delete;
    Sampler& operator=(const Sampler&) = delete;

    // Takes a reading. Rates need two readings: the first call only primes
    // the deltas and returns false; every later call fills `out` (host_id,
    // ts_ms and everything measured; seq and interval_ms are the caller's)
    // and returns true.
    bool sample(Sample& out);

    // The collectors' state after the last sample() (for the on-demand
    // queries: per-process CPU % and socket owners without another pass).
    const ProcessCollector& processes() const;
    const SocketCollector& sockets() const;
    const ContainerCollector& containers() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace telehub::agent
