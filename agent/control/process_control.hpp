// The actions behind signal, renice and exec. Policy is checked before these
// run (CommandPolicy); here OS errors become the protocol's codes:
// EPERM/EACCES -> permission_denied, ESRCH -> no_such_process, exec ENOENT ->
// no_such_program, any other exec error -> exec_failed.
#pragma once

#include <string>
#include <vector>

#include "agent/control/command_outcome.hpp"
#include "agent/control/command_policy.hpp"

namespace telehub::agent {

// "SIGKILL" for 9, "SIGRTMIN+3" for a real-time signal, "SIG<n>" otherwise.
std::string signal_name(int sig);

// kill(2). Result {"pid","name","signal","signal_name"}.
CommandOutcome signal_process(const Target& target, int sig);

// setpriority(PRIO_PROCESS); `previous` from getpriority first. Result
// {"pid","name","nice","previous"}. Raising priority (a lower nice) needs
// CAP_SYS_NICE: permission_denied otherwise.
CommandOutcome renice_process(const Target& target, int priority);

// Starts `cmd` (looked up in PATH, no shell) with `args`, stdin/stdout/stderr
// on /dev/null, in a session of its own so it outlives the agent's terminal,
// with default signal dispositions and no inherited fds beyond 0-2. The
// caller reaps it (the stream loop's SIGCHLD handler). Result {"pid","cmd","args"}.
CommandOutcome spawn_program(const std::string& cmd, const std::vector<std::string>& args);

}  // namespace telehub::agent
