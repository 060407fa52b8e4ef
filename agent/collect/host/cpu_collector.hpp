// Host CPU, load and memory from /proc/stat, /proc/loadavg and /proc/meminfo.
#pragma once

#include <cstdint>
#include <string>

#include "agent/collect/host/cpu_parse.hpp"
#include "agent/collect/proc/proc.hpp"
#include "telehub/sample.hpp"

namespace telehub::agent {

class CpuCollector {
public:
    // `proc_root` is "/proc" in production, a recorded tree in tests.
    // Throws std::runtime_error when the directory cannot be opened: that is
    // a start-up error.
    explicit CpuCollector(std::string proc_root);

    // Takes a reading and fills sample.cpu, sample.load, sample.mem and
    // sample.procs.running (sample.procs.total comes from ProcessCollector).
    //
    // CPU percentages are the delta to the previous good reading. Returns
    // true when they are; returns false on the first call (the reading only
    // primes the collector) and when /proc/stat cannot be read or parsed. On
    // false the cpu fields are zeros (per_core sized to the online cores when
    // known) and error() says why; load, mem and running are still filled
    // from their own files, or left untouched when those cannot be read.
    bool collect(telehub::Sample& sample);

    // Jiffies of all cores together between the last two good readings (0
    // until primed) and the number of online cores in the latest reading:
    // ProcessCollector turns process ticks into a % of one core with them.
    std::uint64_t total_delta() const { return total_delta_; }
    std::uint32_t cores() const { return static_cast<std::uint32_t>(cur_.cores.size()); }

    // Why the last collect() returned false, "" when it did not (or primed).
    const std::string& error() const { return error_; }

private:
    bool read_stat();
    void fill_cpu(telehub::CpuStats& cpu);
    void read_load_and_mem(telehub::Sample& sample);

    std::string proc_root_;
    DirFd root_;
    std::string buf_;
    ProcStat prev_;
    ProcStat cur_;
    bool primed_ = false;
    std::uint64_t total_delta_ = 0;
    std::string error_;
};

}  // namespace telehub::agent
