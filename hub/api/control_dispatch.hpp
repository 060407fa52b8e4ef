// One process-control or on-demand request from start to answer: unknown host
// (404), relay to the agent, audit line on the disk, then the HTTP reply.
// With --cluster, a command for a host another hub holds goes to that hub
// through Redis, which runs and audits it; this hub audits who asked, under
// the same command id. Lives apart from HttpSession so the session only
// parses and answers.
#pragma once

#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "hub/cluster/cluster.hpp"
#include "hub/control/control.hpp"

namespace telehub::hub {

struct HubContext;

struct ControlCaller {
    std::string client;      // peer address:port
    std::string token_name;  // the principal's name, never the token
};

// `respond` runs on `ex` (the HTTP session's strand), after the audit line
// is written; the reply carries X-Telehub-Command-Id.
void dispatch_control(HubContext& ctx, const boost::asio::any_io_executor& ex, ControlRequest req, ControlCaller caller,
                      std::function<void(HttpReply)> respond);

// A request that named a host but was refused before it became a command
// (a bad body or parameter, a method the route does not take): audited like
// a command, with the body it came with, then `refusal` is answered on `ex`
// with X-Telehub-Command-Id.
void audit_refused(HubContext& ctx, const boost::asio::any_io_executor& ex, ControlTarget target, std::string_view body,
                   HttpReply refusal, ControlCaller caller, std::function<void(HttpReply)> respond);

// A command another hub forwarded (--cluster): run here, never forwarded
// again, audited with its id and the asking hub; `done` gets the relay's
// outcome after the audit line is written (or the refusal, unaudited, when
// the audit log cannot be written), on `ex`.
void run_forwarded_control(HubContext& ctx, const boost::asio::any_io_executor& ex, RemoteCommandMessage m,
                           std::function<void(RelayResult)> done);

// DELETE /api/hosts/{id}: forgetting a host and its history is audited as a
// command is (op "forget", no args), and not done when it cannot be
// audited (503 audit_unavailable). `respond` runs on `ex` after the line is
// written; the reply carries X-Telehub-Command-Id.
void forget_host_audited(HubContext& ctx, const boost::asio::any_io_executor& ex, std::string host_id,
                         ControlCaller caller, std::function<void(HttpReply)> respond);

// GET /api/audit?limit=N
HttpReply audit_reply(HubContext& ctx, std::string_view query);

}  // namespace telehub::hub
