// One process-control or on-demand request from start to answer: unknown host
// (404), relay to the agent, audit line on the disk, then the HTTP reply.
// Lives apart from HttpSession so the session only parses and answers.
#pragma once

#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "hub/control/control.hpp"

namespace telehub::hub {

struct HubContext;

struct ControlCaller {
    std::string client;      // peer address:port
    std::string token_name;  // the principal's name, never the token
};

// `respond` runs on `ex` (the HTTP session's strand), after the audit line is written.
void dispatch_control(HubContext& ctx, const boost::asio::any_io_executor& ex, ControlRequest req, ControlCaller caller,
                      std::function<void(HttpReply)> respond);

// GET /api/audit?limit=N
HttpReply audit_reply(HubContext& ctx, std::string_view query);

}  // namespace telehub::hub
