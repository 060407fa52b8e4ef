#include "agent/control/command_executor.hpp"

#include <climits>
#include <exception>
#include <iostream>

#include <nlohmann/json.hpp>

#include "agent/control/command_args.hpp"
#include "agent/control/process_control.hpp"
#include "telehub/json_text.hpp"

namespace telehub::agent {

namespace {

using json = nlohmann::json;

/* Arguments longer than this are cut in the log line (exec args can be long). */
constexpr std::size_t max_logged_args = 200;

// Unwraps an argument or returns its failure from the enclosing function.
#define TELEHUB_ARG(var, expr)                                          \
    auto var##_v = (expr);                                              \
    if (auto* f = std::get_if<CommandFailure>(&var##_v)) return *f;     \
    auto var = std::move(std::get<0>(var##_v))

std::string printable(std::string_view s, std::size_t max) {
    std::string out(s.substr(0, max));
    for (char& c : out)
        if (c == '\n' || c == '\r') c = ' ';
    if (s.size() > max) out += "...";
    return out;
}

std::variant<std::string, CommandFailure> format_arg(const json& args) {
    TELEHUB_ARG(format, string_arg(args, "format", std::string("csv")));
    if (format != "csv" && format != "json")
        return CommandFailure{"bad_argument", "argument 'format' must be \"csv\" or \"json\", not \"" +
                                                  printable(format, 32) + "\""};
    return format;
}

}  // namespace

CommandExecutor::CommandExecutor(CommandPolicy policy, QuerySources sources, std::function<void(std::string_view)> log)
    : policy_(std::move(policy)), queries_(std::move(sources)), log_(std::move(log)) {}

void CommandExecutor::log(std::string_view line) const {
    if (log_) log_(line);
    else std::cerr << line << '\n';
}

CommandOutcome CommandExecutor::run(const Command& c) {
    const std::string& op = c.op;
    if (!CommandPolicy::known_op(op))
        return CommandFailure{"unknown_op", "unknown op '" + printable(op, 64) + "'"};
    if (auto refused = policy_.check_op(op)) return *refused;
    TELEHUB_ARG(args, parse_args(c.args_json));

    if (op == op_ps) return queries_.ps();
    if (op == op_users) return queries_.users();
    if (op == op_tasks) {
        TELEHUB_ARG(username, string_arg(args, "username"));
        return queries_.tasks(username);
    }
    if (op == op_sockets) {
        TELEHUB_ARG(format, format_arg(args));
        return queries_.sockets(format);
    }
    if (op == op_top) {
        TELEHUB_ARG(n, int_arg(args, "n", 1, 100000, 10));
        TELEHUB_ARG(format, format_arg(args));
        return queries_.top(static_cast<std::size_t>(n), format);
    }
    if (op == op_signal || op == op_renice) {
        TELEHUB_ARG(pid, int_arg(args, "pid", 1, INT_MAX));
        std::int64_t value = 0;
        if (op == op_signal) {
            TELEHUB_ARG(sig, int_arg(args, "signal", 1, 64, 9));  // SIGKILL when absent, as seed 001
            value = sig;
        } else {
            TELEHUB_ARG(priority, int_arg(args, "priority", -20, 19));
            value = priority;
        }
        auto target = policy_.check_target(static_cast<int>(pid));
        if (auto* f = std::get_if<CommandFailure>(&target)) return *f;
        const Target& t = std::get<Target>(target);
        if (op == op_signal) return signal_process(t, static_cast<int>(value));
        return renice_process(t, static_cast<int>(value));
    }
    // op_exec
    TELEHUB_ARG(cmd, string_arg(args, "cmd"));
    TELEHUB_ARG(argv, string_list_arg(args, "args"));
    if (auto refused = policy_.check_exec(cmd)) return *refused;
    return spawn_program(cmd, argv);
}

std::string CommandExecutor::execute(const Command& c) noexcept {
    try {
        std::string head = "command " + printable(c.id, 64) + " " + printable(c.op, 64) + " " +
                           printable(c.args_json, max_logged_args) + ": ";
        CommandOutcome outcome;
        try {
            outcome = run(c);
        } catch (const std::exception& e) {
            // nlohmann, allocation or a report's start-up style throw: an answer, not an unwinding io loop.
            outcome = CommandFailure{"internal", std::string("the agent failed: ") + e.what()};
        }
        if (auto* ok = std::get_if<CommandOk>(&outcome)) {
            log(head + "ok " + ok->summary);
            return encode_reply_ok(c.id, json_text(ok->result));
        }
        const auto& f = std::get<CommandFailure>(outcome);
        log(head + f.code + ": " + f.message);
        return encode_reply_error(c.id, f.code, f.message);
    } catch (const std::exception& e) {
        // Only allocation can fail here: no reply (the hub answers 504), and a line saying why.
        log(std::string("command could not be answered: ") + e.what());
        return std::string();
    }
}

std::optional<std::string> CommandExecutor::handle_frame(std::string_view frame) noexcept {
    try {
        // The type is checked here: decode_command takes any object with an id and an op.
        json j = json::parse(frame, nullptr, false);
        bool is_command = false;
        if (j.is_object()) {
            auto type = j.find("type");
            is_command = type != j.end() && type->is_string() && *type == "command";
        }
        if (!is_command) {
            log("ignored a hub frame that is not a command: " + printable(frame, 120));
            return std::nullopt;
        }
        auto decoded = decode_command(frame);
        if (auto* c = std::get_if<Command>(&decoded)) {
            std::string reply = execute(*c);
            if (reply.empty()) return std::nullopt;
            return reply;
        }
        const CodecError& e = std::get<CodecError>(decoded);
        auto id = j.find("id");
        if (id == j.end() || !id->is_string()) {
            log("ignored a malformed command without an id: " + e.message);
            return std::nullopt;
        }
        const std::string sid = id->get<std::string>();
        log("command " + printable(sid, 64) + ": bad_argument: " + e.message);
        return encode_reply_error(sid, "bad_argument", e.message);
    } catch (const std::exception& e) {
        log(std::string("ignored a hub frame the agent could not handle: ") + e.what());
        return std::nullopt;
    }
}

}  // namespace telehub::agent
