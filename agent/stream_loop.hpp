// Streaming mode: a sample every interval on a fixed-rate timer, sent to the
// hub or printed, until SIGINT/SIGTERM or --count samples.
#pragma once

#include "agent/agent_options.hpp"

namespace telehub::agent {

// Returns the process exit status.
int run_stream(const AgentOptions& options);

}  // namespace telehub::agent
