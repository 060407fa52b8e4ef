// `telehub-agent sockwatch [all | --pid P | --name NAME] [--interval S]`:
// collects every interval and prints the table of report/sockwatch.hpp.
#pragma once

#include <ostream>

#include "agent/agent_options.hpp"

namespace telehub::agent {

// Runs until SIGINT/SIGTERM or --count reports; returns the exit status.
int run_sockwatch(const AgentOptions& options, std::ostream& out);

}  // namespace telehub::agent
