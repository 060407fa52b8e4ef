// Commands from the hub to one agent and the agent's replies (docs/protocol.md,
// "Commands"). Off the hot path: encoded and decoded with nlohmann/json, except
// that the hub reads reply frames through FrameDecoder with every other agent
// frame. Arguments and results travel as JSON text so that neither side's
// types leak into this header.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "telehub/codec.hpp"

namespace telehub {

// The operations an agent may announce in its hello's `capabilities`.
inline constexpr std::string_view op_ps = "ps";
inline constexpr std::string_view op_users = "users";
inline constexpr std::string_view op_tasks = "tasks";
inline constexpr std::string_view op_sockets = "sockets";
inline constexpr std::string_view op_top = "top";
inline constexpr std::string_view op_signal = "signal";
inline constexpr std::string_view op_renice = "renice";
inline constexpr std::string_view op_exec = "exec";

// Whether `op` acts on the host (signal, renice, exec) rather than reads it:
// an unanswered one may still have happened.
constexpr bool op_changes_host(std::string_view op) { return op == op_signal || op == op_renice || op == op_exec; }

struct Command {
    std::string id;
    std::string op;
    std::string args_json = "{}";  // a JSON object
    std::int64_t timeout_ms = 0;   // how long the hub waits for the reply
};

std::string encode_command(const Command& c);

// On the agent. Errors name the field at fault (codes as for agent frames).
std::variant<Command, CodecError> decode_command(std::string_view frame);

std::string encode_reply_ok(std::string_view id, std::string_view result_json);
std::string encode_reply_error(std::string_view id, std::string_view code, std::string_view message);

// The HTTP status the hub answers with for an agent's error code; 502 for a
// code this hub does not know.
int reply_error_status(std::string_view code);

}  // namespace telehub
