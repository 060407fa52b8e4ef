#include "telehub/command.hpp"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "telehub/json_text.hpp"

namespace telehub {
namespace {

using json = nlohmann::json;

// Agent error codes and the statuses the hub gives them (docs/protocol.md).
constexpr std::array<std::pair<std::string_view, int>, 11> error_statuses{{
    {"bad_argument", 400},
    {"unknown_op", 400},
    {"not_allowed", 403},        // the agent's policy does not allow the operation
    {"refused", 403},            // protected process: pid 1, the agent, its ancestors, kernel threads
    {"permission_denied", 403},  // EPERM / EACCES
    {"no_such_process", 404},    // ESRCH
    {"no_such_user", 404},
    {"no_such_program", 404},    // exec: ENOENT
    {"exec_failed", 422},
    {"busy", 503},
    {"internal", 500},
}};

}  // namespace

std::string encode_command(const Command& c) {
    // args_json is the hub's own serialisation of an object: spliced in as is.
    std::string out = json_text(json{{"type", "command"}, {"id", c.id}, {"op", c.op}, {"timeout_ms", c.timeout_ms}});
    out.pop_back();
    out += ",\"args\":";
    out += c.args_json.empty() ? std::string_view("{}") : std::string_view(c.args_json);
    out += '}';
    return out;
}

std::variant<Command, CodecError> decode_command(std::string_view frame) {
    json j = json::parse(frame, nullptr, false);
    if (j.is_discarded()) return CodecError{"bad_json", "command is not valid JSON"};
    if (!j.is_object()) return CodecError{"wrong_type", "command must be a JSON object"};
    Command c;
    auto text = [&](const char* key, std::string& out) -> std::optional<CodecError> {
        auto it = j.find(key);
        if (it == j.end()) return CodecError{"missing_field", std::string("field '") + key + "' is missing"};
        if (!it->is_string()) return CodecError{"wrong_type", std::string("field '") + key + "' must be a string"};
        out = it->get<std::string>();
        return std::nullopt;
    };
    if (auto e = text("id", c.id)) return *e;
    if (auto e = text("op", c.op)) return *e;
    auto args = j.find("args");
    if (args == j.end()) c.args_json = "{}";
    else if (!args->is_object()) return CodecError{"wrong_type", "field 'args' must be an object"};
    else c.args_json = json_text(*args);
    auto t = j.find("timeout_ms");
    if (t != j.end()) {
        if (!t->is_number_integer()) return CodecError{"wrong_type", "field 'timeout_ms' must be an integer"};
        c.timeout_ms = t->get<std::int64_t>();
    }
    return c;
}

std::string encode_reply_ok(std::string_view id, std::string_view result_json) {
    // The result is already JSON: spliced in rather than parsed and dumped again.
    json head{{"type", "reply"}, {"id", id}, {"ok", true}};
    std::string out = json_text(head);
    out.pop_back();
    out += ",\"result\":";
    out += result_json;
    out += '}';
    return out;
}

std::string encode_reply_error(std::string_view id, std::string_view code, std::string_view message) {
    return json_text(json{{"type", "reply"}, {"id", id}, {"ok", false}, {"error", {{"code", code}, {"message", message}}}});
}

int reply_error_status(std::string_view code) {
    for (auto [name, status] : error_statuses)
        if (name == code) return status;
    return 502;
}

}  // namespace telehub
