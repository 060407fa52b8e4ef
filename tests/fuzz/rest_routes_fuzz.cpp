// The whole REST router as a peer reaches it: route_http (every read route
// and DELETE /api/hosts/ID) on a hub context holding two hosts, one of them
// with a quote, a control byte and UTF-8 in its names; the control routes'
// request parser and their replies from an agent's answer; and the admin
// routes the session answers itself (/api/audit, /api/rules, /api/silences,
// /api/notifications). The first input byte picks the method (low three
// bits) and the part (its top bit: the control routes; else the next bit:
// the admin routes); the rest, up to a newline, is the request target, and
// what follows the newline is the body (for the control routes, also the
// agent's answer).
//
// Whatever the bytes: no exception leaves the router (one would unwind
// through Asio and stop the hub), the status is an HTTP one, a JSON reply is
// JSON, an error names its code and message, and a 405 says what is allowed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "hub/alerts/alert_api.hpp"
#include "hub/api/control_dispatch.hpp"
#include "hub/api/rest_api.hpp"
#include "hub/control/control_request.hpp"
#include "hub/hub_context.hpp"
#include "hub/notify/notify_api.hpp"
#include "hub/silences/silences.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace hub = telehub::hub;
using json = nlohmann::json;

namespace {

constexpr std::string_view methods[] = {"GET", "HEAD", "DELETE", "POST", "PUT", "OPTIONS", "PATCH", "get"};

telehub::Sample sample_of(const std::string& host_id, const std::string& process_name) {
    telehub::Sample s;
    s.host_id = host_id;
    s.seq = 1;
    s.ts_ms = hub::HostRegistry::system_clock_ms();
    s.interval_ms = 1000;
    s.cpu.total = 42.5;
    s.cpu.per_core = {40, 45};
    telehub::TopProcess p;
    p.pid = 7;
    p.name = process_name;
    p.cpu = 42.5;
    s.top = {p};
    telehub::ProcessSockets ps;
    ps.pid = 7;
    ps.name = process_name;
    ps.tcp[telehub::tcp_close_wait] = 3;
    ps.total = 3;
    s.sockets.by_process = {ps};
    return s;
}

// A host as an agent's session makes it: hello, then a sample, in the
// registry and the fleet view.
void add_host(hub::HubContext& ctx, std::uint64_t conn, const std::string& id, const std::string& hostname,
              const std::string& process_name) {
    telehub::Hello h;
    h.protocol = 1;
    h.host_id = id;
    h.hostname = hostname;
    h.cores = 2;
    ctx.registry.on_hello(h, conn);
    auto s = sample_of(id, process_name);
    ctx.registry.on_sample(s, std::make_shared<const std::string>("{}"), conn);
    ctx.fleet.on_sample(hostname, s);
}

void add_hosts(hub::HubContext& ctx) {
    add_host(ctx, 1, "web-1", "web-1.example", "nginx");
    add_host(ctx, 2, "db \"2\"", "db\x01-\xc3\xa9.example", "post\"gres\x1b");
}

hub::HubContext& context() {
    static const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("telehub-fuzz-rest-routes-" + std::to_string(::getpid()));
    static hub::HubContext* ctx = [] {
        std::filesystem::create_directories(dir);
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        });
        hub::HubConfig c;
        c.persist = false;
        c.web_root = (dir / "web").string();
        std::filesystem::create_directories(c.web_root);
        c.data_dir = dir.string();
        c.log_file = (dir / "hub.log").string();
        c.quiet = true;
        c.audit_log = (dir / "audit.jsonl").string();
        auto* made = new hub::HubContext(c);  // kept for the process: libFuzzer never returns
        add_hosts(*made);
        return made;
    }();
    return *ctx;
}

void check_reply(const hub::HttpReply& r) {
    FUZZ_CHECK(r.status >= 200 && r.status <= 599);
    if (r.content_type == "application/json") FUZZ_CHECK(json::accept(r.body));
    if (r.status >= 400) {
        FUZZ_CHECK(r.content_type == "application/json");
        auto j = json::parse(r.body);
        FUZZ_CHECK(j.contains("error") && j["error"]["code"].is_string() && j["error"]["message"].is_string());
    }
    if (r.status == 405) FUZZ_CHECK(!r.allow.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool control = (data[0] & 0x80) != 0;
    const auto method = methods[data[0] % std::size(methods)];
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto newline = rest.find('\n');
    const auto target = rest.substr(0, newline);
    const auto body = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);

    auto& ctx = context();
    if (control) {
        auto parsed = hub::parse_control_request(method, target, body);
        if (auto* refusal = std::get_if<hub::HttpReply>(&parsed)) {
            FUZZ_CHECK(refusal->status >= 400);
            check_reply(*refusal);
        } else {
            auto& req = std::get<hub::ControlRequest>(parsed);
            FUZZ_CHECK(!req.host_id.empty());
            FUZZ_CHECK(json::accept(req.args_json));
            // The relay's failures, as any command may end.
            check_reply(hub::control_reply(req, {.status = 504, .ok = false, .error_code = "timeout",
                                                 .error_message = std::string(body)}));
            // An agent's result is whatever JSON it sent (its session checked
            // only that it parses): any shape, for any op and format.
            if (json::accept(body))
                check_reply(hub::control_reply(req, {.status = 200, .ok = true, .result_json = std::string(body)}));
        }
        return 0;
    }
    if (data[0] & 0x40) {
        // In the session's order (hub/net/http_session.cpp), after access was granted.
        const auto path = target.substr(0, target.find('?'));
        const auto query = path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view{};
        if (path == "/api/audit") check_reply(hub::audit_reply(ctx, query));
        else if (path == "/api/rules") check_reply(hub::rules_reply(ctx.alerts, method, body));
        else if (hub::is_silences_path(path)) {
            check_reply(hub::silences_reply(ctx.silences, method, path, body, "fuzz", hub::HostRegistry::system_clock_ms()));
            ctx.silences.restore({});  // each input starts with none
        } else if (path == "/api/notifications") check_reply(hub::notifications_reply(*ctx.notifier, method));
        return 0;
    }
    const auto hosts_before = ctx.registry.counts().total;
    check_reply(hub::route_http(ctx, method, target));
    // A DELETE that forgot a host: put both back, so each input starts alike.
    if (ctx.registry.counts().total != hosts_before) add_hosts(ctx);
    return 0;
}
