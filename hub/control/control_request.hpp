// The process-control and on-demand routes under /api/hosts/{id}/
// (docs/protocol.md, "Process control"): a request becomes a command for the
// relay, with its arguments checked and normalised here (pid and priority as
// numbers or numeric strings, signal names to numbers), and the agent's
// answer becomes the HTTP reply. Pure functions of strings, so unit-tested
// without a network.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "hub/control/command_relay.hpp"
#include "hub/http/http.hpp"

namespace telehub::hub {

struct ControlRequest {
    std::string host_id;
    std::string op;               // a telehub op: ps, users, tasks, sockets, top, signal, renice, exec
    std::string args_json = "{}";
    bool query = false;           // reads only: the audit log keeps the result's size, not the result
    std::string format = "json";  // sockets and top: csv or json
    std::string download_name;    // set: sent as an attachment with this file name
};

// True for /api/hosts/{id}/{ps,users,users/{name}/tasks,sockets,top}.
bool is_control_path(std::string_view path);

// The host a control path names and the op its method asks for ("signal"
// for DELETE .../ps), for the audit line of a request refused before it
// became a command; nullopt when `path` is no control route.
struct ControlTarget {
    std::string host_id;
    std::string op;
};
std::optional<ControlTarget> control_target(std::string_view method, std::string_view path);

// For a control path: the request, or the error to answer (400, 405).
std::variant<ControlRequest, HttpReply> parse_control_request(std::string_view method, std::string_view target,
                                                              std::string_view body);

// The agent's answer (or the relay's failure) as the HTTP reply.
HttpReply control_reply(const ControlRequest& req, const RelayResult& r);

// "9", 9, "KILL", "SIGKILL" -> 9; nullopt for anything else.
std::optional<int> signal_number(std::string_view name);

}  // namespace telehub::hub
