// Runs the hub's commands on the agent (docs/protocol.md, "Commands"): one
// frame in, one reply frame out. Checks the policy, reads the arguments, runs
// the op and logs one line per command. Never throws: whatever goes wrong
// becomes an error reply (or, for a frame without an id, a log line).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "agent/control/command_policy.hpp"
#include "agent/control/query_ops.hpp"
#include "telehub/command.hpp"

namespace telehub::agent {

class CommandExecutor {
public:
    // `log` gets one line per command, without newline; default stderr.
    CommandExecutor(CommandPolicy policy, QuerySources sources, std::function<void(std::string_view)> log = {});

    // A frame from the hub (HubClientOptions::on_command). The reply to send,
    // or nullopt for a frame that is no command or has no id to answer to.
    std::optional<std::string> handle_frame(std::string_view frame) noexcept;

    // A decoded command's reply frame.
    std::string execute(const Command& c) noexcept;

    const CommandPolicy& policy() const { return policy_; }

private:
    CommandOutcome run(const Command& c);
    void log(std::string_view line) const;

    CommandPolicy policy_;
    QueryOps queries_;
    std::function<void(std::string_view)> log_;
};

}  // namespace telehub::agent
