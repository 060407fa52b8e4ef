#include "hub/control/control_request.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

#include "hub/http/http.hpp"
#include "telehub/command.hpp"
#include "telehub/json_text.hpp"

namespace telehub::hub {
namespace {

using json = nlohmann::json;

constexpr std::string_view hosts_prefix = "/api/hosts/";
constexpr int max_top_n = 10000;

// Linux signal numbers (signal(7)); the real-time ones go by number.
constexpr std::array<std::pair<std::string_view, int>, 31> signal_names{{
    {"HUP", 1},   {"INT", 2},     {"QUIT", 3},   {"ILL", 4},    {"TRAP", 5},   {"ABRT", 6},  {"IOT", 6},
    {"BUS", 7},   {"FPE", 8},     {"KILL", 9},   {"USR1", 10},  {"SEGV", 11},  {"USR2", 12}, {"PIPE", 13},
    {"ALRM", 14}, {"TERM", 15},   {"STKFLT", 16}, {"CHLD", 17}, {"CONT", 18},  {"STOP", 19}, {"TSTP", 20},
    {"TTIN", 21}, {"TTOU", 22},   {"URG", 23},   {"XCPU", 24},  {"XFSZ", 25},  {"VTALRM", 26}, {"PROF", 27},
    {"WINCH", 28}, {"IO", 29},    {"SYS", 31},
}};

struct Route {
    std::string host_id;
    std::string op_path;   // "ps", "users", "tasks", "sockets", "top"
    std::string username;  // for tasks
};

std::optional<Route> match(std::string_view path) {
    if (path.substr(0, hosts_prefix.size()) != hosts_prefix) return std::nullopt;
    auto rest = path.substr(hosts_prefix.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    auto id = url_decode(rest.substr(0, slash), false);  // may hold a '/', sent as %2F
    if (!id) return std::nullopt;
    auto tail = rest.substr(slash + 1);
    Route r{*id, {}, {}};
    if (tail == "ps" || tail == "users" || tail == "sockets" || tail == "top") {
        r.op_path = std::string(tail);
        return r;
    }
    constexpr std::string_view users = "users/", tasks = "/tasks";
    if (tail.size() > users.size() + tasks.size() && tail.substr(0, users.size()) == users &&
        tail.substr(tail.size() - tasks.size()) == tasks) {
        auto name = url_decode(tail.substr(users.size(), tail.size() - users.size() - tasks.size()), false);
        if (!name || name->empty() || name->find('/') != std::string::npos) return std::nullopt;
        r.op_path = "tasks";
        r.username = *name;
        return r;
    }
    return std::nullopt;
}

HttpReply bad_parameter(const std::string& message) { return error_reply(400, "bad_parameter", message); }

// What a method on .../ps asks the agent to do; the route's own name (a
// listing, "ps") for any other method.
std::string_view ps_op(std::string_view method) {
    if (method == "POST") return op_exec;
    if (method == "DELETE") return op_signal;
    if (method == "PATCH") return op_renice;
    return op_ps;
}

HttpReply not_allowed(std::string_view method, std::string_view path, std::string allow) {
    auto r = error_reply(405, "method_not_allowed",
                         "method " + std::string(method) + " is not allowed on " + std::string(path) + "; use " + allow);
    r.allow = std::move(allow);
    return r;
}

std::optional<long long> whole_number(const json& v) {
    // nlohmann keeps a number past INT64_MAX as unsigned and one past
    // UINT64_MAX as a double: neither may wrap, nor be cast out of range.
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<long long>::max())) return std::nullopt;
        return static_cast<long long>(u);
    }
    if (v.is_number_integer()) return v.get<long long>();
    if (v.is_number_float()) {
        const double d = v.get<double>();
        constexpr double two_to_63 = 9223372036854775808.0;
        if (!(d >= -two_to_63 && d < two_to_63) || d != std::trunc(d)) return std::nullopt;
        return static_cast<long long>(d);
    }
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        long long n = 0;
        auto first = s.data() + (!s.empty() && s.front() == '+' ? 1 : 0);
        auto [p, ec] = std::from_chars(first, s.data() + s.size(), n);
        if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
        return n;
    }
    return std::nullopt;
}

std::string shown(const json& v) {
    auto s = json_text(v);
    return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

std::variant<long long, HttpReply> pid_of(const json& body) {
    auto it = body.find("pid");
    if (it == body.end()) return bad_parameter("field 'pid' is missing: give the process id, e.g. {\"pid\":8802}");
    auto n = whole_number(*it);
    if (!n || *n <= 0 || *n > std::numeric_limits<int>::max())
        return bad_parameter("field 'pid' must be a process id (a positive integer or a numeric string), got " + shown(*it));
    return *n;
}

std::string safe_file_part(std::string_view s) {
    std::string out;
    for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
    return out.empty() ? "host" : out;
}

std::variant<ControlRequest, HttpReply> body_command(std::string_view method, const Route& route, std::string_view body,
                                                     ControlRequest req) {
    auto parsed = parse_json_object(body);
    if (auto* problem = std::get_if<std::string>(&parsed))
        return error_reply(400, "bad_body", "the request body must be a JSON object, e.g. {\"pid\":8802}; " + *problem);
    json b = std::get<json>(std::move(parsed));
    req.op = std::string(ps_op(method));
    json args;
    if (method == "POST") {
        auto cmd = b.find("cmd");
        if (cmd == b.end() || !cmd->is_string() || cmd->get_ref<const std::string&>().empty())
            return bad_parameter("field 'cmd' must be the program to run, a non-empty string");
        args["cmd"] = *cmd;
        args["args"] = json::array();
        if (auto a = b.find("args"); a != b.end() && !a->is_null()) {
            if (!a->is_array()) return bad_parameter("field 'args' must be an array of strings");
            for (const auto& v : *a) {
                if (!v.is_string()) return bad_parameter("field 'args' must be an array of strings, got " + shown(v));
                args["args"].push_back(v);
            }
        }
    } else {
        auto pid = pid_of(b);
        if (auto* e = std::get_if<HttpReply>(&pid)) return *e;
        args["pid"] = std::get<long long>(pid);
        if (method == "DELETE") {
            int sig = 9;
            if (auto s = b.find("signal"); s != b.end() && !s->is_null()) {
                std::optional<int> n;
                if (s->is_string()) n = signal_number(s->get_ref<const std::string&>());
                else if (auto w = whole_number(*s)) n = static_cast<int>(*w);
                if (!n || *n < 1 || *n > 64)
                    return bad_parameter("field 'signal' must be a signal number 1-64 or a name like \"TERM\" or \"SIGTERM\", got " +
                                         shown(*s));
                sig = *n;
            }
            args["signal"] = sig;
        } else {  // PATCH
            auto p = b.find("priority");
            if (p == b.end()) return bad_parameter("field 'priority' is missing: give the nice value, -20 to 19");
            auto n = whole_number(*p);
            if (!n || *n < -20 || *n > 19)
                return bad_parameter("field 'priority' must be a nice value from -20 to 19 (a number or numeric string), got " +
                                     shown(*p));
            args["priority"] = *n;
        }
    }
    (void)route;
    req.args_json = json_text(args);
    return req;
}

}  // namespace

std::optional<int> signal_number(std::string_view name) {
    std::string up;
    for (char c : name) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string_view n = up;
    if (n.substr(0, 3) == "SIG") n.remove_prefix(3);
    int v = 0;
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
    if (!n.empty() && ec == std::errc() && p == n.data() + n.size()) return v;
    for (auto [sn, num] : signal_names)
        if (sn == n) return num;
    return std::nullopt;
}

bool is_control_path(std::string_view path) { return match(path).has_value(); }

std::optional<ControlTarget> control_target(std::string_view method, std::string_view path) {
    auto route = match(path);
    if (!route) return std::nullopt;
    const std::string op = route->op_path == "ps" ? std::string(ps_op(method)) : route->op_path;
    return ControlTarget{std::move(route->host_id), op};
}

std::variant<ControlRequest, HttpReply> parse_control_request(std::string_view method, std::string_view target,
                                                              std::string_view body) {
    auto qpos = target.find('?');
    std::string_view path = target.substr(0, qpos);
    std::string_view query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
    auto route = match(path);
    if (!route) return error_reply(404, "not_found", "no route for " + std::string(path));
    ControlRequest req;
    req.host_id = route->host_id;
    const bool get = method == "GET" || method == "HEAD";

    if (route->op_path == "ps") {
        if (get) {
            req.op = std::string(op_ps);
            req.query = true;
            return req;
        }
        if (method == "POST" || method == "DELETE" || method == "PATCH") return body_command(method, *route, body, req);
        return not_allowed(method, path, "GET, POST, DELETE, PATCH");
    }
    if (!get) return not_allowed(method, path, "GET");
    req.query = true;
    if (route->op_path == "users") {
        req.op = std::string(op_users);
        return req;
    }
    if (route->op_path == "tasks") {
        req.op = std::string(op_tasks);
        req.args_json = json_text({{"username", route->username}});
        return req;
    }
    bool bad = false;
    if (auto f = query_param(query, "format", bad)) {
        if (bad || (*f != "csv" && *f != "json")) return bad_parameter("parameter 'format' must be csv or json, got '" + *f + "'");
        req.format = *f;
    }
    json args{{"format", req.format}};
    if (route->op_path == "sockets") {
        req.op = std::string(op_sockets);
        if (req.format == "csv") req.download_name = safe_file_part(req.host_id) + "-sockets.csv";
    } else {  // top
        req.op = std::string(op_top);
        int n = 10;
        if (auto v = query_param(query, "n", bad)) {
            auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
            if (bad || v->empty() || ec != std::errc() || p != v->data() + v->size() || n < 1 || n > max_top_n)
                return bad_parameter("parameter 'n' must be a whole number from 1 to " + std::to_string(max_top_n) +
                                     ", got '" + *v + "'");
        }
        args["n"] = n;
        req.download_name = safe_file_part(req.host_id) + "-top." + req.format;
    }
    req.args_json = json_text(args);
    return req;
}

HttpReply control_reply(const ControlRequest& req, const RelayResult& r) {
    if (!r.ok) return error_reply(r.status, r.error_code, r.error_message);
    HttpReply out{200, "application/json", r.result_json, {}, {}};
    if (req.format == "csv") {
        auto j = json::parse(r.result_json, nullptr, false);
        auto text = j.is_object() ? j.find("text") : j.end();
        if (j.is_discarded() || !j.is_object() || text == j.end() || !text->is_string())
            return error_reply(502, "bad_reply", "the agent's " + req.op + " reply has no CSV 'text'");
        out.content_type = "text/csv; charset=utf-8";
        out.body = text->get<std::string>();
    }
    if (!req.download_name.empty())
        out.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + req.download_name + "\"");
    return out;
}

}  // namespace telehub::hub
