// `telehub-agent sockwatch [all | --pid P | --name NAME] [--interval S]`: the
// socket-watch seed's report. Every interval, per process: socket and close
// calls seen since start and during the last interval, each split
// tcp/udp/other, and the sockets still open. "Calls" are sampled from the
// process's fd table (see docs/sockets.md for what sampling cannot see).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/agent_options.hpp"
#include "agent/socket_churn.hpp"

namespace telehub::agent {

// Processes matching the filter (pid 0 and empty name: all) that opened,
// closed or hold sockets, most sockets opened since start first.
std::vector<ProcessChurnRecord> sockwatch_rows(const std::unordered_map<int, ProcessChurnRecord>& records,
                                               int pid, const std::string& name);

void write_sockwatch(std::ostream& out, std::int64_t ts_ms, double interval_s,
                     const std::vector<ProcessChurnRecord>& rows);

// Runs until SIGINT/SIGTERM or --count reports; returns the exit status.
int run_sockwatch(const AgentOptions& options, std::ostream& out);

}  // namespace telehub::agent
