// The seeds' one-shot reports, as `telehub-agent sockets` and `telehub-agent top`.
#pragma once

#include <ostream>

#include "agent/agent_options.hpp"

namespace telehub::agent {

// Every connected socket with its owner (seed 000); returns the exit status.
int run_sockets_report(const AgentOptions& options, std::ostream& out);

// The top N processes by user+kernel clock ticks (seed 003); returns the exit status.
int run_top_report(const AgentOptions& options, std::ostream& out);

}  // namespace telehub::agent
