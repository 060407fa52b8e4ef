// A control command asked on one hub for a host another hub holds, as it
// goes through Redis (docs/cluster.md, "Commands on any hub"): the request on
// telehub:cmd:HOLDER, and the relay's outcome back on telehub:rep:ASKER. The
// asking hub checked the caller's token and writes its own audit line; the
// holder runs the command with its own relay and deadlines and audits what
// ran, under the same command id.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "hub/control/control.hpp"

namespace telehub::hub {

struct RemoteCommand {
    std::string command_id;  // the asking hub's, written in both audit lines
    std::string host_id;
    std::string op;          // a relay op: ps, users, tasks, sockets, top, signal, renice, exec
    std::string args_json = "{}";
    bool query = false;
    std::string token_name;  // who asked, on the asking hub (never the token)
    std::string client;      // their address there
};

struct RemoteCommandMessage {
    std::string from_hub;
    std::uint64_t request_id = 0;
    RemoteCommand command;
    // Wall-clock ms after which the asking hub has answered 504 and stopped
    // waiting: the holder must not run it later (a message held up in a
    // partition could signal a reused pid). 0: not given (older hubs).
    std::int64_t deadline_ms = 0;
};

std::string encode_remote_command(const RemoteCommandMessage& m);
// Nothing of it is trusted beyond its shape: the holder checks the op and
// arguments again as its relay does. Error: what was wrong, for the log.
std::variant<RemoteCommandMessage, std::string> decode_remote_command(std::string_view payload);

// The relay's outcome as the holder sends it back, and read again on the
// asking hub; a body that is not one (a hub of another version) is a 502.
inline constexpr std::string_view relay_result_type = "application/x-telehub-relay+json";
std::string encode_relay_result(const RelayResult& r);
// `content_type`/`body`: the answer as it came; anything but a relay result
// is read as an error reply {"error":{"code","message"}} with `status`.
RelayResult decode_relay_result(int status, std::string_view content_type, std::string_view body);

}  // namespace telehub::hub
