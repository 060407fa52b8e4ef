// The table of `telehub-agent sockwatch` (the socket-watch seed's report):
// per process, socket and close calls seen since start and during the last
// interval, each split tcp/udp/other, and the sockets still open. "Calls" are sampled from the
// process's fd table (see docs/sockets.md for what sampling cannot see).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/collect/sockets/sockets.hpp"

namespace telehub::agent {

// Processes matching the filter (pid 0 and empty name: all) that opened,
// closed or hold sockets, most sockets opened since start first.
std::vector<ProcessChurnRecord> sockwatch_rows(const std::unordered_map<int, ProcessChurnRecord>& records,
                                               int pid, const std::string& name);

void write_sockwatch(std::ostream& out, std::int64_t ts_ms, double interval_s,
                     const std::vector<ProcessChurnRecord>& rows);

}  // namespace telehub::agent
