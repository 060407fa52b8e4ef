// `telehub-agent top -n N [--csv]`: processes by cumulative CPU time (user +
// kernel clock ticks), from one pass over <proc_root>/PID/stat.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace telehub::agent {

struct TopTicksRow {
    std::string name;  // comm
    int pid = 0;
    std::uint64_t utime = 0;  // user CPU time, clock ticks (USER_HZ)
    std::uint64_t stime = 0;  // kernel CPU time, clock ticks
};

// The `n` processes with the most utime + stime, descending (ties: lower pid
// first); n == 0 means all of them. Processes that exit during the pass are
// skipped. Throws std::runtime_error when `proc_root` cannot be listed (a
// start-up error for a one-shot command).
std::vector<TopTicksRow> read_top_ticks(const std::string& proc_root, std::size_t n);

// Sorts as read_top_ticks does and keeps the first `n` (0: all).
void rank_top_ticks(std::vector<TopTicksRow>& rows, std::size_t n);

// A readable table, or CSV with the header "name","pid","utime","stime".
void write_top_ticks(std::ostream& os, const std::vector<TopTicksRow>& rows, bool csv);

}  // namespace telehub::agent
