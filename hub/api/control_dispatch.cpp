#include "hub/api/control_dispatch.hpp"

#include <charconv>
#include <chrono>
#include <memory>

#include <boost/asio/post.hpp>

#include "hub/http/http.hpp"
#include "hub/state/state.hpp"
#include "hub/hub_context.hpp"

namespace telehub::hub {
namespace net = boost::asio;

namespace {

constexpr std::size_t max_audit_limit = 10000;

std::int64_t steady_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void finish(HubContext& ctx, const net::any_io_executor& ex, const ControlRequest& req, const ControlCaller& caller,
            std::int64_t arrived_ms, std::int64_t started_steady, const RelayResult& r,
            std::function<void(HttpReply)> respond) {
    auto reply = control_reply(req, r);
    ctx.stats.command_done(command_outcome_of(r.ok, r.error_code));
    AuditEntry e;
    e.ts_ms = arrived_ms;
    e.client = caller.client;
    e.token_name = caller.token_name;
    e.host = req.host_id;
    e.op = req.op;
    e.args_json = req.args_json;
    e.status = reply.status;
    if (r.ok) {
        if (req.query) e.result_bytes = r.result_json.size();
        else e.result_json = r.result_json;
    } else {
        e.error_code = r.error_code;
        e.error_message = r.error_message;
    }
    e.ms = steady_ms() - started_steady;
    if (reply.status >= 400 || !req.query)
        ctx.log.event("command " + req.op + " on host '" + req.host_id + "' by " + caller.token_name + " from " +
                      caller.client + ": " + std::to_string(reply.status) +
                      (r.ok ? std::string() : " " + r.error_code + ": " + r.error_message));
    ctx.audit->append(e, [ex, reply = std::move(reply), respond = std::move(respond)](bool) mutable {
        net::post(ex, [reply = std::move(reply), respond = std::move(respond)]() mutable { respond(std::move(reply)); });
    });
}

}  // namespace

static void dispatch_audited(HubContext& ctx, const net::any_io_executor& ex, ControlRequest req, ControlCaller caller,
                      std::function<void(HttpReply)> respond);

void dispatch_control(HubContext& ctx, const net::any_io_executor& ex, ControlRequest req, ControlCaller caller,
                      std::function<void(HttpReply)> respond) {
    // A command that cannot be audited must not run: the audit log is asked
    // first, and only a yes lets the request go on.
    ctx.audit->check_writable([&ctx, ex, req = std::move(req), caller = std::move(caller),
                               respond = std::move(respond)](std::string error) mutable {
        net::post(ex, [&ctx, ex, req = std::move(req), caller = std::move(caller), respond = std::move(respond),
                       error = std::move(error)]() mutable {
            if (!error.empty()) {
                ctx.log.event("refused command " + req.op + " on host '" + req.host_id + "' from " + caller.client +
                              ": " + error);
                return respond(error_reply(503, "audit_unavailable",
                                           "the command was not run because it could not be audited: " + error));
            }
            dispatch_audited(ctx, ex, std::move(req), std::move(caller), std::move(respond));
        });
    });
}

static void dispatch_audited(HubContext& ctx, const net::any_io_executor& ex, ControlRequest req, ControlCaller caller,
                      std::function<void(HttpReply)> respond) {
    auto arrived = HostRegistry::system_clock_ms();
    auto started = steady_ms();
    ctx.stats.commands.fetch_add(1, std::memory_order_relaxed);
    if (!ctx.registry.detail(req.host_id)) {
        RelayResult r;
        r.status = 404;
        r.error_code = "not_found";
        r.error_message = "no host '" + req.host_id + "'";
        return finish(ctx, ex, req, caller, arrived, started, r, std::move(respond));
    }
    auto shared = std::make_shared<ControlRequest>(std::move(req));
    ctx.relay.send(ex, shared->host_id, shared->op, shared->args_json,
                   [&ctx, ex, shared, caller = std::move(caller), arrived, started,
                    respond = std::move(respond)](RelayResult r) mutable {
                       finish(ctx, ex, *shared, caller, arrived, started, r, std::move(respond));
                   });
}

HttpReply audit_reply(HubContext& ctx, std::string_view query) {
    std::size_t limit = 100;
    bool bad = false;
    if (auto v = query_param(query, "limit", bad)) {
        auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), limit);
        if (bad || v->empty() || ec != std::errc() || p != v->data() + v->size() || limit < 1 || limit > max_audit_limit)
            return error_reply(400, "bad_parameter",
                               "parameter 'limit' must be a whole number from 1 to " + std::to_string(max_audit_limit) +
                                   ", got '" + *v + "'");
    }
    std::string body = "{\"entries\":[";
    bool first = true;
    for (const auto& line : ctx.audit->tail(limit)) {
        if (!first) body += ',';
        body += line;  // each line is one JSON object written by this hub
        first = false;
    }
    body += "]}";
    return {200, "application/json", std::move(body), {}, {}};
}

}  // namespace telehub::hub
