#include "hub/api/rest_api.hpp"

#include <charconv>
#include <optional>

#include <nlohmann/json.hpp>

#include "hub/hub_context.hpp"
#include "hub/alerts/alerts.hpp"
#include "hub/api/filter_params.hpp"
#include "hub/fleet/fleet.hpp"
#include "hub/api/host_route.hpp"
#include "hub/http/http.hpp"
#include "hub/state/state.hpp"
#include "telehub/json_text.hpp"

namespace telehub::hub {
namespace {

using nlohmann::json;

// The retention's upper bound (--retention up to 3650 days).
constexpr std::int64_t max_history_seconds = 3650LL * 24 * 3600;

HttpReply json_reply(const json& j) { return HttpReply{200, "application/json", json_text(j), {}}; }

HttpReply method_not_allowed(std::string_view method, std::string_view path, std::string allow) {
    auto r = error_reply(405, "method_not_allowed",
                         "method " + std::string(method) + " is not allowed on " + std::string(path) + "; use " + allow);
    r.allow = std::move(allow);
    return r;
}

json hello_json(const Hello& h) {
    // The token is a secret: never echoed.
    return {{"protocol", h.protocol},         {"host_id", h.host_id},       {"hostname", h.hostname},
            {"kernel", h.kernel},             {"cores", h.cores},           {"boot_time", h.boot_time},
            {"interval_ms", h.interval_ms},   {"agent_version", h.agent_version},
            {"instance", h.instance},         {"capabilities", h.capabilities}};
}

json counters(HubContext& ctx) {
    auto j = stats_json(ctx.stats, ctx.log.dropped());
    j["hosts"] = ctx.registry.host_count();
    auto history = ctx.registry.history_memory();
    j["history_bytes"] = history.bytes;
    j["history_points"] = history.points;
    j["uptime_s"] = (HostRegistry::system_clock_ms() - ctx.started_ms) / 1000;
    if (ctx.store) {
        auto s = ctx.store->counters();
        j["store"] = {{"path", ctx.store->path()},           {"batches_written", s.batches_written},
                      {"points_written", s.points_written},  {"bytes_written", s.bytes_written},
                      {"write_errors", s.write_errors},      {"queued", s.queued},
                      {"restored_hosts", ctx.restored_hosts}, {"restore_ms", ctx.restore_ms}};
    } else {
        j["store"] = nullptr;
    }
    return j;
}

HttpReply hosts_list(HubContext& ctx, std::string_view query) {
    auto f = parse_filter_query(query);
    if (auto* e = std::get_if<FilterError>(&f)) return error_reply(400, "bad_parameter", e->message);
    auto& filter = std::get<HostFilter>(f);
    auto counts = ctx.registry.counts();
    auto rows = ctx.registry.summaries(filter);
    if (const auto* remote = ctx.remote_hosts()) remote->view(ctx.registry)->merge(rows, counts, filter);
    return {200, "application/json", build_hosts_body(ctx.registry.high_cpu(), counts, rows), {}};
}

HttpReply host_detail(HubContext& ctx, const std::string& id) {
    auto d = ctx.registry.detail(id);
    if (!d) return error_reply(404, "not_found", "no host '" + id + "'");
    // The sample goes out as the bytes the agent sent: valid JSON, already checked by the decoder.
    std::string body = "{\"host\":" + json_text(summary_json(d->summary)) + ",\"hello\":" +
                       (d->hello ? json_text(hello_json(*d->hello)) : std::string("null")) +
                       ",\"sample\":" + (d->sample ? *d->sample : std::string("null")) + "}";
    return {200, "application/json", std::move(body), {}};
}

HttpReply host_history(HubContext& ctx, const std::string& id, std::string_view query) {
    auto param = parse_seconds_param(query, max_history_seconds);
    if (!param.error.empty()) return error_reply(400, "bad_parameter", param.error);
    const std::int64_t seconds = param.seconds.value_or(0);
    auto h = ctx.registry.history(id, seconds);
    if (!h) return error_reply(404, "not_found", "no host '" + id + "'");
    // Past what memory holds, the one-minute tier answers (a read on the
    // background thread, which builds every history reply: long_reply_route).
    std::optional<std::vector<MinuteRow>> minutes;
    if (seconds > 0 && ctx.store && h->since_ms < h->oldest_ms)
        minutes = ctx.store->minutes(id, h->since_ms, h->oldest_ms);
    return {200, "application/json", history_body(*h, minutes ? &*minutes : nullptr), {}};
}

HttpReply leaks_list(HubContext& ctx) {
    json arr = json::array();
    for (const auto& l : ctx.registry.leaks()) {
        const auto& s = l.suspect;
        arr.push_back({{"host_id", l.host_id},   {"online", l.online},     {"pid", s.pid},
                       {"name", s.name},         {"reason", s.reason},     {"count", s.count},
                       {"since_ms", s.since_ms}, {"evidence", s.evidence}});
    }
    return json_reply({{"leaks", std::move(arr)}});
}

HttpReply static_file(HubContext& ctx, std::string_view target) {
    auto r = ctx.files.resolve(target);
    if (auto* refusal = std::get_if<StaticRefusal>(&r)) return error_reply(refusal->status, refusal->code, refusal->message);
    const auto& file = std::get<StaticFile>(r);
    auto data = StaticFiles::read(file);
    if (!data) return error_reply(404, "not_found", "file '" + std::string(target) + "' cannot be read");
    return {200, std::string(file.content_type), std::move(*data), {}};
}

}  // namespace

HttpReply forget_host(HubContext& ctx, const std::string& id) {
    const auto online_refusal = [&id](const std::string& where) {
        return error_reply(409, "host_online", "host '" + id + "' is connected" + where +
                                                   ": stop its agent first, or its next sample would bring the host back");
    };
    // With --cluster a host is one across the hubs: forgotten on all, or on none while it is connected to any.
    if (ctx.cluster)
        if (auto hub = ctx.cluster->online_on(id); hub && !ctx.registry.online(id).value_or(false))
            return online_refusal(" to hub '" + *hub + "'");
    const auto here = ctx.forget_here(id, "(DELETE /api/hosts/" + id + ")");
    if (here == ForgetResult::online) return online_refusal("");
    std::optional<ClusterMember::Forgotten> elsewhere;
    if (ctx.cluster) elsewhere = ctx.cluster->forget(id);
    if (here == ForgetResult::unknown && !(elsewhere && elsewhere->dropped))
        return error_reply(404, "not_found", "no host '" + id + "'");
    json body{{"forgotten", id}};
    if (elsewhere && !elsewhere->told)
        body["warning"] = "the cluster's Redis is down: the other hubs were not told, and list the host as offline "
                          "until --forget-after passes";
    return json_reply(body);
}

HttpReply route_http(HubContext& ctx, std::string_view method, std::string_view target) {
    auto qpos = target.find('?');
    std::string_view path = target.substr(0, qpos);
    std::string_view query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
    const bool get = method == "GET" || method == "HEAD";

    if (path == "/healthz") {
        if (!get) return method_not_allowed(method, path, "GET");
        auto j = counters(ctx);
        j["status"] = "ok";
        // The hub serves its own hosts whatever Redis does: "ok", with the cluster's own state beside it.
        if (ctx.cluster) j["cluster"] = ctx.cluster->status();
        return json_reply(j);
    }
    if (path == "/api/stats") {
        if (!get) return method_not_allowed(method, path, "GET");
        return json_reply(counters(ctx));
    }
    if (path == "/api/hosts") {
        if (!get) return method_not_allowed(method, path, "GET");
        return hosts_list(ctx, query);
    }
    if (path == "/api/alerts") {
        if (!get) return method_not_allowed(method, path, "GET");
        return alerts_reply(ctx.alerts);
    }
    if (path == "/api/alerts/history") {
        if (!get) return method_not_allowed(method, path, "GET");
        return alerts_history_reply(ctx.alerts, query, HostRegistry::system_clock_ms());
    }
    if (path == "/api/fleet/processes") {
        if (!get) return method_not_allowed(method, path, "GET");
        return fleet_processes_reply(ctx.fleet, query);
    }
    if (path == "/api/leaks") {
        if (!get) return method_not_allowed(method, path, "GET");
        return leaks_list(ctx);
    }
    if (path.starts_with(hosts_path_prefix)) {
        auto route = parse_host_route(path);
        if (!route) return error_reply(404, "not_found", "no route for " + std::string(path));
        if (!route->history && method == "DELETE") return forget_host(ctx, route->host_id);
        if (!get) return method_not_allowed(method, path, route->history ? "GET" : "GET, DELETE");
        return route->history ? host_history(ctx, route->host_id, query) : host_detail(ctx, route->host_id);
    }
    if (path == "/ws/agent" || path == "/ws/live")
        return error_reply(426, "upgrade_required", std::string(path) + " takes WebSocket connections only");
    if (path == "/api" || path.substr(0, 5) == "/api/" || path.substr(0, 4) == "/ws/")
        return error_reply(404, "not_found", "no route for " + std::string(path));
    if (!get) return method_not_allowed(method, path, "GET, HEAD");
    return static_file(ctx, target);
}

}  // namespace telehub::hub
