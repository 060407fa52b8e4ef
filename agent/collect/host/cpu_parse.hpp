// Pure parsers for the host-wide /proc files the CPU collector reads:
// /proc/stat, /proc/loadavg and /proc/meminfo. No I/O here, so tests feed
// recorded text.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace telehub::agent {

// One "cpu" or "cpuN" line of /proc/stat, in clock ticks (USER_HZ).
struct CpuTimes {
    std::uint64_t user = 0;
    std::uint64_t nice = 0;
    std::uint64_t system = 0;
    std::uint64_t idle = 0;
    std::uint64_t iowait = 0;
    std::uint64_t irq = 0;
    std::uint64_t softirq = 0;
    std::uint64_t steal = 0;
    std::uint64_t guest = 0;       // already inside user
    std::uint64_t guest_nice = 0;  // already inside nice

    // Guest time is left out: the kernel counts it in user/nice as well.
    std::uint64_t total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
};

struct CoreTimes {
    int id = 0;  // N of "cpuN"; offline cores have no line, so ids can skip
    CpuTimes times;
};

struct ProcStat {
    CpuTimes all;                  // the aggregate "cpu" line
    std::vector<CoreTimes> cores;  // online cores, in file order (ascending id)
    std::uint32_t procs_running = 0;
};

// Fills `out` (reusing its vector) from the text of /proc/stat. False when
// the aggregate "cpu" line or the procs_running line (which follows the cpu
// lines, so its presence shows they were read whole) is missing, when the
// text does not end with a newline (a cut read), or when a cpu line is
// malformed or has fewer than the four fields every kernel prints (user nice
// system idle). Fields newer kernels add (iowait .. guest_nice) are zero
// when absent.
bool parse_proc_stat(std::string_view text, ProcStat& out);
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// The three load averages (1, 5, 15 minutes) from /proc/loadavg.
std::optional<std::array<double, 3>> parse_loadavg(std::string_view text);

struct MemInfo {
    std::uint64_t total = 0;      // bytes
    std::uint64_t available = 0;  // bytes
};

// MemTotal and MemAvailable from /proc/meminfo, converted from kB to bytes.
// Kernels before 3.14 have no MemAvailable: MemFree + Buffers + Cached is
// used instead, the estimate tools used before the kernel provided one.
// nullopt when MemTotal is missing or malformed, or the text was cut (no
// final newline).
std::optional<MemInfo> parse_meminfo(std::string_view text);

}  // namespace telehub::agent
