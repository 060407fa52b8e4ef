// What this agent lets the hub do (docs/protocol.md, "Commands"). The agent
// decides, not the hub: ps, users, tasks, sockets, top, signal and renice by
// default; exec only with --allow-exec (and then only the programs named by
// --exec-allow, when given); nothing at all with --no-control. pid 1, the
// agent, its ancestors and kernel threads are never signalled or reniced.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/control/command_outcome.hpp"

namespace telehub::agent {

struct CommandPolicyOptions {
    bool control = true;                  // false: --no-control, every command is refused
    bool allow_exec = false;              // --allow-exec
    std::vector<std::string> exec_allow;  // --exec-allow: exact `cmd` strings; empty: any
};

// A process a signal or renice may go to: its name, read while checking.
struct Target {
    int pid = 0;
    std::string name;
};

class CommandPolicy {
public:
    // `proc_root` and `self_pid` say where the agent's ancestry is read from
    // and who the agent is (tests use a recorded tree or themselves).
    CommandPolicy(CommandPolicyOptions options, std::string proc_root, int self_pid);

    // The ops to announce in the hello, in protocol order.
    std::vector<std::string> capabilities() const;

    // True for an op name of the protocol, allowed or not.
    static bool known_op(std::string_view op);

    // nullopt when `op` may run; else not_allowed naming the flag that would allow it.
    std::optional<CommandFailure> check_op(std::string_view op) const;

    // nullopt when `cmd` may be started; else not_allowed.
    std::optional<CommandFailure> check_exec(std::string_view cmd) const;

    // The process, when it may be signalled or reniced; refused naming the
    // rule, or no_such_process. Ancestry is walked afresh on every call: a
    // parent that exits changes it.
    std::variant<Target, CommandFailure> check_target(int pid) const;

    // The agent's ancestors, nearest first, as read from proc_root now.
    std::vector<int> ancestors() const;

    const CommandPolicyOptions& options() const { return options_; }

private:
    CommandPolicyOptions options_;
    std::string proc_root_;
    int self_pid_;
};

}  // namespace telehub::agent
