// The simulated fleet's data: a hello and a realistic sample for each host,
// deterministic from (seed, host index, tick) so runs are repeatable. A
// sample is about the size of a real agent's: 8 cores, the top 10 processes
// with real-looking names and command lines, the full socket block with 10
// by_process entries (~3 KB encoded).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "telehub/sample.hpp"

namespace telehub::loadgen {

struct FleetShape {
    std::uint64_t seed = 1;
    double hot_fraction = 0.05;  // hosts that run near full CPU most of the time
    std::uint32_t cores = 8;
    std::size_t top_processes = 10;
    std::size_t by_process = 10;
    std::uint32_t interval_ms = 1000;
};

class SampleFactory {
public:
    explicit SampleFactory(FleetShape shape);

    // "lg000042-" followed by hex: as long as an /etc/machine-id, and the
    // index can be read back from characters 2..7 (see host_index_of).
    std::string host_id(std::size_t host) const;
    Hello hello(std::size_t host, std::int64_t instance_ms) const;
    // The whole sample of `host` at `tick` (seq and ts_ms left for the caller).
    Sample sample(std::size_t host, std::uint64_t tick) const;
    // Host CPU % at `tick`; what sample(host, tick).cpu.total holds. Cheap.
    double cpu_total(std::size_t host, std::uint64_t tick) const;
    bool hot(std::size_t host) const;

    const FleetShape& shape() const { return shape_; }

private:
    FleetShape shape_;
};

// The host index encoded in a host id made by SampleFactory; -1 if `id` is not one.
long host_index_of(std::string_view id);

}  // namespace telehub::loadgen
