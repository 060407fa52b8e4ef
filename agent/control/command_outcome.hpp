// What running one command produced: a result for the reply, or an error
// code from docs/protocol.md's table with a message naming what was wrong.
#pragma once

#include <string>
#include <variant>

#include <nlohmann/json.hpp>

namespace telehub::agent {

struct CommandOk {
    nlohmann::json result;  // the reply's `result` object
    std::string summary;    // for the agent's log line: "pid 8802 (sleep) SIGKILL"
};

struct CommandFailure {
    std::string code;  // bad_argument, not_allowed, refused, permission_denied, ...
    std::string message;
};

using CommandOutcome = std::variant<CommandOk, CommandFailure>;

}  // namespace telehub::agent
