#include "agent/control/command_policy.hpp"

#include <algorithm>
#include <array>

#include "agent/collect/proc/proc.hpp"
#include "agent/collect/processes/processes.hpp"
#include "telehub/command.hpp"

namespace telehub::agent {

namespace {

constexpr std::array<std::string_view, 8> all_ops{op_ps,     op_users,  op_tasks,  op_sockets,
                                                  op_top,    op_signal, op_renice, op_exec};

/* A chain longer than this is a loop in a corrupt tree, not an ancestry. */
constexpr int max_ancestry = 4096;

}  // namespace

CommandPolicy::CommandPolicy(CommandPolicyOptions options, std::string proc_root, int self_pid)
    : options_(std::move(options)), proc_root_(std::move(proc_root)), self_pid_(self_pid) {}

bool CommandPolicy::known_op(std::string_view op) {
    return std::find(all_ops.begin(), all_ops.end(), op) != all_ops.end();
}

std::vector<std::string> CommandPolicy::capabilities() const {
    std::vector<std::string> out;
    for (std::string_view op : all_ops)
        if (!check_op(op)) out.emplace_back(op);
    return out;
}

std::optional<CommandFailure> CommandPolicy::check_op(std::string_view op) const {
    if (!options_.control) return CommandFailure{"not_allowed", "this agent runs with --no-control"};
    if (op == op_exec && !options_.allow_exec)
        return CommandFailure{"not_allowed", "exec is off on this agent (start it with --allow-exec)"};
    return std::nullopt;
}

std::optional<CommandFailure> CommandPolicy::check_exec(std::string_view cmd) const {
    if (auto e = check_op(op_exec)) return e;
    const auto& allow = options_.exec_allow;
    if (!allow.empty() && std::find(allow.begin(), allow.end(), cmd) == allow.end())
        return CommandFailure{"not_allowed", "program '" + std::string(cmd) + "' is not in --exec-allow"};
    return std::nullopt;
}

std::vector<int> CommandPolicy::ancestors() const {
    std::vector<int> out;
    std::string buf;
    int pid = self_pid_;
    for (int i = 0; i < max_ancestry && pid > 1; ++i) {
        if (!read_file(proc_root_ + "/" + std::to_string(pid) + "/stat", buf)) break;
        auto st = parse_pid_stat(buf);
        // ppid 0: the top of this pid namespace (init, or a container's first process).
        if (!st || st->ppid <= 0 || std::find(out.begin(), out.end(), st->ppid) != out.end()) break;
        out.push_back(st->ppid);
        pid = st->ppid;
    }
    return out;
}

std::variant<Target, CommandFailure> CommandPolicy::check_target(int pid) const {
    const std::string p = "pid " + std::to_string(pid);
    if (pid <= 0) return CommandFailure{"bad_argument", "argument 'pid' must be a positive integer"};
    if (pid == 1) return CommandFailure{"refused", p + " is init: never signalled or reniced"};
    if (pid == self_pid_) return CommandFailure{"refused", p + " is the agent itself"};
    std::string buf;
    if (!read_file(proc_root_ + "/" + std::to_string(pid) + "/stat", buf))
        return CommandFailure{"no_such_process", "no process " + std::to_string(pid)};
    auto st = parse_pid_stat(buf);
    if (!st) return CommandFailure{"no_such_process", "no process " + std::to_string(pid)};
    Target t{pid, std::string(st->comm)};
    const std::string named = p + " (" + t.name + ")";
    if (st->kernel_thread()) return CommandFailure{"refused", named + " is a kernel thread"};
    auto chain = ancestors();
    if (std::find(chain.begin(), chain.end(), pid) != chain.end())
        return CommandFailure{"refused", named + " is an ancestor of the agent"};
    return t;
}

}  // namespace telehub::agent
