#include "hub/api/control_dispatch.hpp"

#include <charconv>
#include <chrono>
#include <memory>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "hub/api/rest_api.hpp"
#include "hub/http/http.hpp"
#include "hub/state/state.hpp"
#include "hub/hub_context.hpp"

namespace telehub::hub {
namespace net = boost::asio;

namespace {

constexpr std::size_t max_audit_limit = 10000;
constexpr std::size_t max_refused_body = 4096;
// The holder's own relay deadline (--command-timeout, the same on every hub)
// plus the way through Redis and back: past it the asking hub answers 504.
constexpr std::int64_t forward_margin_ms = 2000;

std::int64_t steady_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Who asked, and for the audit line where the command ran or was asked.
struct Origin {
    ControlCaller caller;
    std::string command_id;
    std::string for_hub;  // set: forwarded by that hub, run here, not forwarded again
    std::int64_t arrived_ms = 0;
    std::int64_t started_steady = 0;
};

// The relay's outcome and the HTTP reply made of it (once: a `ps` result
// may be large), after the audit line is written.
using Outcome = std::function<void(RelayResult, HttpReply)>;

// An answer made as an HTTP reply (a refusal, a forgotten host), read back
// as an outcome for its audit line: the body when it succeeded, else the
// error's code and message.
RelayResult outcome_of(const HttpReply& reply) {
    RelayResult r{reply.status, reply.status == 200, {}, {}, {}};
    if (r.ok) {
        r.result_json = reply.body;
        return r;
    }
    const auto answer = nlohmann::json::parse(reply.body, nullptr, false);
    if (answer.is_object() && answer.contains("error") && answer["error"].is_object()) {
        r.error_code = answer["error"].value("code", "");
        r.error_message = answer["error"].value("message", "");
    }
    return r;
}

// The audit line of an answer (a relayed command's, or a refusal's), the
// hub's log line for failures and non-queries, then `done` on `ex` once the
// line is written.
void audit_then_answer(HubContext& ctx, const net::any_io_executor& ex, const ControlRequest& req, const Origin& from,
                       const std::string& held_by, RelayResult r, HttpReply reply, Outcome done) {
    const auto status = reply.status;
    AuditEntry e;
    e.command_id = from.command_id;
    e.ts_ms = from.arrived_ms;
    e.client = from.caller.client;
    e.token_name = from.caller.token_name;
    e.host = req.host_id;
    e.op = req.op;
    e.args_json = req.args_json;
    e.status = status;
    e.held_by = held_by;
    e.for_hub = from.for_hub;
    if (r.ok) {
        if (req.query) e.result_bytes = r.result_json.size();
        else e.result_json = r.result_json;
    } else {
        e.error_code = r.error_code;
        e.error_message = r.error_message;
    }
    e.ms = steady_ms() - from.started_steady;
    if (status >= 400 || !req.query)
        ctx.log.event("command " + req.op + " on host '" + req.host_id + "' by " + from.caller.token_name + " from " +
                      from.caller.client + (held_by.empty() ? "" : " (host held by hub '" + held_by + "')") + ": " +
                      std::to_string(status) + (r.ok ? std::string() : " " + r.error_code + ": " + r.error_message));
    ctx.audit->append(e, [ex, r = std::move(r), reply = std::move(reply), done = std::move(done)](bool) mutable {
        net::post(ex, [r = std::move(r), reply = std::move(reply), done = std::move(done)]() mutable {
            done(std::move(r), std::move(reply));
        });
    });
}

void finish(HubContext& ctx, const net::any_io_executor& ex, const ControlRequest& req, const Origin& from,
            const std::string& held_by, RelayResult r, Outcome done) {
    auto reply = control_reply(req, r);
    ctx.stats.command_done(command_outcome_of(r.ok, r.error_code));
    audit_then_answer(ctx, ex, req, from, held_by, std::move(r), std::move(reply), std::move(done));
}

void run_audited(HubContext& ctx, const net::any_io_executor& ex, ControlRequest req, Origin from, Outcome done) {
    ctx.stats.commands.fetch_add(1, std::memory_order_relaxed);
    auto shared = std::make_shared<ControlRequest>(std::move(req));
    auto origin = std::make_shared<Origin>(std::move(from));
    // Online here: run here; else another hub that holds it runs it (unless
    // the command came from another hub: never forwarded twice).
    const auto here = ctx.registry.online(shared->host_id);
    if (origin->for_hub.empty() && ctx.cluster && !here.value_or(false)) {
        if (auto hub = ctx.cluster->holder(shared->host_id)) {
            RemoteCommand c{origin->command_id, shared->host_id, shared->op,  shared->args_json,
                            shared->query,      origin->caller.token_name,   origin->caller.client};
            ctx.cluster->forward_command(*hub, std::move(c), ctx.config.command_timeout_ms + forward_margin_ms,
                                         [&ctx, ex, shared, origin, hub = *hub, done = std::move(done)](RelayResult r) mutable {
                                             net::post(ex, [&ctx, ex, shared, origin, hub = std::move(hub), r = std::move(r),
                                                            done = std::move(done)]() mutable {
                                                 finish(ctx, ex, *shared, *origin, hub, std::move(r), std::move(done));
                                             });
                                         });
            return;
        }
    }
    if (!here.has_value()) {
        RelayResult r;
        r.status = 404;
        r.error_code = "not_found";
        r.error_message = "no host '" + shared->host_id + "'";
        return finish(ctx, ex, *shared, *origin, {}, std::move(r), std::move(done));
    }
    ctx.relay.send(ex, shared->host_id, shared->op, shared->args_json,
                   [&ctx, ex, shared, origin, done = std::move(done)](RelayResult r) mutable {
                       finish(ctx, ex, *shared, *origin, {}, std::move(r), std::move(done));
                   });
}

// A command that cannot be audited must not run: the audit log is asked
// first, and only a yes lets the request go on.
void run_control(HubContext& ctx, const net::any_io_executor& ex, ControlRequest req, Origin from, Outcome done) {
    from.arrived_ms = HostRegistry::system_clock_ms();
    from.started_steady = steady_ms();
    ctx.audit->check_writable([&ctx, ex, req = std::move(req), from = std::move(from),
                               done = std::move(done)](std::string error) mutable {
        net::post(ex, [&ctx, ex, req = std::move(req), from = std::move(from), done = std::move(done),
                       error = std::move(error)]() mutable {
            if (!error.empty()) {
                ctx.log.event("refused command " + req.op + " on host '" + req.host_id + "' from " +
                              from.caller.client + ": " + error);
                RelayResult refused{503, false, {}, "audit_unavailable",
                                    "the command was not run because it could not be audited: " + error};
                auto reply = control_reply(req, refused);
                return done(std::move(refused), std::move(reply));
            }
            run_audited(ctx, ex, std::move(req), std::move(from), std::move(done));
        });
    });
}

}  // namespace

void dispatch_control(HubContext& ctx, const net::any_io_executor& ex, ControlRequest req, ControlCaller caller,
                      std::function<void(HttpReply)> respond) {
    Origin from{std::move(caller), new_command_id(), {}, 0, 0};
    auto id = from.command_id;
    run_control(ctx, ex, std::move(req), std::move(from),
                [id = std::move(id), respond = std::move(respond)](RelayResult, HttpReply reply) {
                    reply.headers.emplace_back("X-Telehub-Command-Id", id);
                    respond(std::move(reply));
                });
}

void audit_refused(HubContext& ctx, const net::any_io_executor& ex, ControlTarget target, std::string_view body,
                   HttpReply refusal, ControlCaller caller, std::function<void(HttpReply)> respond) {
    ControlRequest req;
    req.host_id = std::move(target.host_id);
    req.op = std::move(target.op);
    // As sent (the line keeps it as text when it is not JSON), cut where a
    // body could only be noise.
    req.args_json = std::string(body.substr(0, max_refused_body));
    Origin from{std::move(caller), new_command_id(), {}, HostRegistry::system_clock_ms(), steady_ms()};
    auto r = outcome_of(refusal);
    r.ok = false;  // a refusal, whatever status it was given
    refusal.headers.emplace_back("X-Telehub-Command-Id", from.command_id);
    audit_then_answer(ctx, ex, req, from, {}, std::move(r), std::move(refusal),
                      [respond = std::move(respond)](RelayResult, HttpReply reply) { respond(std::move(reply)); });
}

void run_forwarded_control(HubContext& ctx, const net::any_io_executor& ex, RemoteCommandMessage m,
                           std::function<void(RelayResult)> done) {
    ControlRequest req;
    req.host_id = std::move(m.command.host_id);
    req.op = std::move(m.command.op);
    req.args_json = std::move(m.command.args_json);
    req.query = m.command.query;
    Origin from{{"hub " + m.from_hub + " for " + m.command.client, std::move(m.command.token_name)},
                std::move(m.command.command_id), std::move(m.from_hub), 0, 0};
    run_control(ctx, ex, std::move(req), std::move(from),
                [done = std::move(done)](RelayResult r, HttpReply) { done(std::move(r)); });
}

void forget_host_audited(HubContext& ctx, const net::any_io_executor& ex, std::string host_id, ControlCaller caller,
                         std::function<void(HttpReply)> respond) {
    Origin from{std::move(caller), new_command_id(), {}, HostRegistry::system_clock_ms(), steady_ms()};
    ctx.audit->check_writable([&ctx, ex, host_id = std::move(host_id), from = std::move(from),
                               respond = std::move(respond)](std::string error) mutable {
        net::post(ex, [&ctx, ex, host_id = std::move(host_id), from = std::move(from), respond = std::move(respond),
                       error = std::move(error)]() mutable {
            if (!error.empty()) {
                ctx.log.event("refused to forget host '" + host_id + "' for " + from.caller.client + ": " + error);
                return respond(error_reply(503, "audit_unavailable",
                                           "the host was not forgotten because it could not be audited: " + error));
            }
            ControlRequest req;
            req.host_id = host_id;
            req.op = "forget";
            auto reply = forget_host(ctx, host_id);
            auto r = outcome_of(reply);
            reply.headers.emplace_back("X-Telehub-Command-Id", from.command_id);
            audit_then_answer(ctx, ex, req, from, {}, std::move(r), std::move(reply),
                              [respond = std::move(respond)](RelayResult, HttpReply reply) { respond(std::move(reply)); });
        });
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
