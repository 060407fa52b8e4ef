#include "hub/api/rest_api.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "hub/hub_context.hpp"
#include "hub/api/filter_params.hpp"
#include "hub/http/http.hpp"
#include "hub/state/state.hpp"

namespace telehub::hub {
namespace {

using nlohmann::json;

constexpr std::int64_t max_history_seconds = 7 * 24 * 3600;

HttpReply json_reply(const json& j) { return HttpReply{200, "application/json", j.dump(), {}}; }

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
    return j;
}

HttpReply hosts_list(HubContext& ctx, std::string_view query) {
    auto f = parse_filter_query(query);
    if (auto* e = std::get_if<FilterError>(&f)) return error_reply(400, "bad_parameter", e->message);
    auto& filter = std::get<HostFilter>(f);
    return {200, "application/json",
            build_hosts_body(ctx.registry.high_cpu(), ctx.registry.counts(), ctx.registry.summaries(filter)), {}};
}

HttpReply host_detail(HubContext& ctx, const std::string& id) {
    auto d = ctx.registry.detail(id);
    if (!d) return error_reply(404, "not_found", "no host '" + id + "'");
    // The sample goes out as the bytes the agent sent: valid JSON, already checked by the decoder.
    std::string body = "{\"host\":" + summary_json(d->summary).dump() + ",\"hello\":" +
                       (d->hello ? hello_json(*d->hello).dump() : std::string("null")) +
                       ",\"sample\":" + (d->sample ? *d->sample : std::string("null")) + "}";
    return {200, "application/json", std::move(body), {}};
}

HttpReply host_history(HubContext& ctx, const std::string& id, std::string_view query) {
    std::int64_t seconds = 0;
    bool bad = false;
    if (auto v = query_param(query, "seconds", bad)) {
        auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), seconds);
        if (bad || v->empty() || ec != std::errc() || p != v->data() + v->size() || seconds <= 0 ||
            seconds > max_history_seconds)
            return error_reply(400, "bad_parameter",
                               "parameter 'seconds' must be a whole number from 1 to " +
                                   std::to_string(max_history_seconds) + ", got '" + *v + "'");
    }
    auto h = ctx.registry.history(id, seconds);
    if (!h) return error_reply(404, "not_found", "no host '" + id + "'");
    const auto& c = h->columns;
    return json_reply({{"host_id", h->host_id},
                       {"interval_ms", h->interval_ms},
                       {"ts_ms", c.ts_ms},
                       {"seq", c.seq},
                       {"cpu", c.cpu},
                       {"per_core", c.per_core},
                       {"load1", c.load1},
                       {"tcp_established", c.tcp_established},
                       {"tcp_listen", c.tcp_listen},
                       {"tcp_time_wait", c.tcp_time_wait},
                       {"tcp_close_wait", c.tcp_close_wait},
                       {"udp", c.udp},
                       {"unix", c.unix_},
                       {"top_name", c.top_name},
                       {"top_cpu", c.top_cpu},
                       {"opens_exact", c.opens_exact},
                       {"opened", c.opened},
                       {"closed", c.closed}});
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

HttpReply route_http(HubContext& ctx, std::string_view method, std::string_view target) {
    auto qpos = target.find('?');
    std::string_view path = target.substr(0, qpos);
    std::string_view query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
    const bool get = method == "GET" || method == "HEAD";

    if (path == "/healthz") {
        if (!get) return method_not_allowed(method, path, "GET");
        auto j = counters(ctx);
        j["status"] = "ok";
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
    if (path == "/api/leaks") {
        if (!get) return method_not_allowed(method, path, "GET");
        return leaks_list(ctx);
    }
    constexpr std::string_view hosts_prefix = "/api/hosts/";
    if (path.substr(0, hosts_prefix.size()) == hosts_prefix) {
        auto rest = path.substr(hosts_prefix.size());
        bool history = false;
        constexpr std::string_view history_suffix = "/history";
        if (rest.size() > history_suffix.size() && rest.substr(rest.size() - history_suffix.size()) == history_suffix) {
            rest.remove_suffix(history_suffix.size());
            history = true;
        }
        auto id = url_decode(rest, false);
        if (!id || id->empty() || id->find('/') != std::string::npos)
            return error_reply(404, "not_found", "no route for " + std::string(path));
        if (!get) return method_not_allowed(method, path, "GET");
        return history ? host_history(ctx, *id, query) : host_detail(ctx, *id);
    }
    if (path == "/ws/agent" || path == "/ws/live")
        return error_reply(426, "upgrade_required", std::string(path) + " takes WebSocket connections only");
    if (path == "/api" || path.substr(0, 5) == "/api/" || path.substr(0, 4) == "/ws/")
        return error_reply(404, "not_found", "no route for " + std::string(path));
    if (!get) return method_not_allowed(method, path, "GET, HEAD");
    return static_file(ctx, target);
}

}  // namespace telehub::hub
