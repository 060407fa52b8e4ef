#include "hub/cluster/remote_command.hpp"

#include <nlohmann/json.hpp>

#include "hub/http/http.hpp"
#include "telehub/command.hpp"
#include "telehub/json_text.hpp"

namespace telehub::hub {
using json = nlohmann::json;

namespace {

bool known_op(std::string_view op) {
    for (auto known : {op_ps, op_users, op_tasks, op_sockets, op_top, op_signal, op_renice, op_exec})
        if (op == known) return true;
    return false;
}

}  // namespace

std::string encode_remote_command(const RemoteCommandMessage& m) {
    const auto& c = m.command;
    json j{{"from", m.from_hub},  {"id", m.request_id},     {"command_id", c.command_id},
           {"host", c.host_id},   {"op", c.op},             {"args", json::parse(c.args_json, nullptr, false)},
           {"query", c.query},    {"token", c.token_name},  {"client", c.client}};
    if (m.deadline_ms > 0) j["deadline_ms"] = m.deadline_ms;
    return json_text(j);
}

std::variant<RemoteCommandMessage, std::string> decode_remote_command(std::string_view payload) {
    auto j = json::parse(payload, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::string("a command message that is not a JSON object");
    auto text = [&](const char* key, std::string& out) {
        auto it = j.find(key);
        if (it == j.end() || !it->is_string()) return false;
        out = it->get<std::string>();
        return true;
    };
    RemoteCommandMessage m;
    auto& c = m.command;
    auto id = j.find("id");
    auto args = j.find("args");
    auto query = j.find("query");
    if (!text("from", m.from_hub) || m.from_hub.empty()) return std::string("a command message without 'from'");
    if (id == j.end() || !id->is_number_unsigned()) return std::string("a command message without a numeric 'id'");
    m.request_id = id->get<std::uint64_t>();
    if (!text("command_id", c.command_id) || !is_command_id(c.command_id))
        return std::string("a command message whose 'command_id' is not 16 hex digits");
    if (!text("host", c.host_id) || c.host_id.empty()) return std::string("a command message without 'host'");
    if (!text("op", c.op) || !known_op(c.op)) return std::string("a command message whose 'op' is not a telehub op");
    if (args == j.end() || !args->is_object()) return std::string("a command message whose 'args' is not an object");
    c.args_json = json_text(*args);
    if (query == j.end() || !query->is_boolean()) return std::string("a command message without a boolean 'query'");
    c.query = query->get<bool>();
    text("token", c.token_name);
    text("client", c.client);
    if (auto d = j.find("deadline_ms"); d != j.end()) {
        if (!d->is_number_integer() || d->get<std::int64_t>() <= 0)
            return std::string("a command message whose 'deadline_ms' is not a positive integer");
        m.deadline_ms = d->get<std::int64_t>();
    }
    return m;
}

std::string encode_relay_result(const RelayResult& r) {
    json j{{"status", r.status}, {"ok", r.ok}};
    if (r.ok) j["result"] = json::parse(r.result_json, nullptr, false);
    else j["error"] = {{"code", r.error_code}, {"message", r.error_message}};
    return json_text(j);
}

RelayResult decode_relay_result(int status, std::string_view content_type, std::string_view body) {
    RelayResult r;
    r.status = status;
    if (!is_http_status(status)) {
        r.status = 502;
        r.error_code = "bad_reply";
        r.error_message = "the holding hub answered with status " + std::to_string(status) + ", not an HTTP status";
        return r;
    }
    auto j = json::parse(body, nullptr, false);
    auto error_of = [&](const json& e) {
        auto code = e.find("code");
        auto message = e.find("message");
        r.error_code = code != e.end() && code->is_string() ? code->get<std::string>() : "hub_error";
        r.error_message = message != e.end() && message->is_string() ? message->get<std::string>() : std::string(body);
    };
    const bool object = !j.is_discarded() && j.is_object();
    if (content_type == relay_result_type && object) {
        auto s = j.find("status");
        auto ok = j.find("ok");
        // A number past INT64_MAX (kept unsigned) reads as negative here, so out of range too.
        if (s != j.end() && s->is_number_integer() && is_http_status(s->get<long long>()) && ok != j.end() &&
            ok->is_boolean()) {
            r.status = s->get<int>();
            r.ok = ok->get<bool>();
            if (auto res = j.find("result"); r.ok && res != j.end() && !res->is_discarded()) {
                r.result_json = json_text(*res);
                return r;
            }
            if (auto e = j.find("error"); !r.ok && e != j.end() && e->is_object()) {
                error_of(*e);
                return r;
            }
        }
    } else if (object && j.contains("error") && j["error"].is_object()) {
        error_of(j["error"]);
        return r;
    }
    r.status = 502;
    r.ok = false;
    r.error_code = "bad_reply";
    r.error_message = "the holding hub's answer is not a command result (another version?)";
    return r;
}

}  // namespace telehub::hub
