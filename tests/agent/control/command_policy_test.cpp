#include "agent/control/command_policy.hpp"

#define BOOST_TEST_MODULE command_policy
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace telehub::agent;
namespace fs = std::filesystem;

namespace {

// A /proc with just the stat files the policy reads: init (1), kthreadd (2,
// PF_KTHREAD), a shell (300) under init, a supervisor (400) under it, the
// agent (500) under that, and an unrelated process (600).
struct FakeProc {
    fs::path root;
    FakeProc() {
        root = fs::temp_directory_path() / ("telehub-policy-" + std::to_string(::getpid()));
        fs::remove_all(root);
        add(1, "systemd", 0, 0x400100);
        add(2, "kthreadd", 0, 0x208040);
        add(300, "bash", 1, 0x400000);
        add(400, "supervise", 300, 0x400000);
        add(500, "telehub-agent", 400, 0x400000);
        add(600, "sleep", 300, 0x400000);
    }
    ~FakeProc() { fs::remove_all(root); }
    void add(int pid, const std::string& comm, int ppid, unsigned flags) const {
        fs::create_directories(root / std::to_string(pid));
        std::ofstream(root / std::to_string(pid) / "stat")
            << pid << " (" << comm << ") S " << ppid << " " << pid << " " << pid << " 0 -1 " << flags
            << " 0 0 0 0 1 1 0 0 20 0 1 0 100 1000 10 18446744073709551615 0 0\n";
    }
};

std::string failure(const std::variant<Target, CommandFailure>& v) {
    auto* f = std::get_if<CommandFailure>(&v);
    return f == nullptr ? "" : f->code + ": " + f->message;
}

}  // namespace

BOOST_AUTO_TEST_CASE(capabilities_follow_the_flags) {
    using V = std::vector<std::string>;
    BOOST_TEST((CommandPolicy({}, "/proc", 1).capabilities() ==
                V{"ps", "users", "tasks", "sockets", "top", "signal", "renice"}));
    BOOST_TEST((CommandPolicy({true, true, {}}, "/proc", 1).capabilities() ==
                V{"ps", "users", "tasks", "sockets", "top", "signal", "renice", "exec"}));
    BOOST_TEST(CommandPolicy({false, false, {}}, "/proc", 1).capabilities().empty());
}

BOOST_AUTO_TEST_CASE(exec_needs_the_flag_and_a_listed_program) {
    CommandPolicy off({}, "/proc", 1);
    BOOST_REQUIRE(off.check_exec("echo"));
    BOOST_TEST(off.check_exec("echo")->code == "not_allowed");
    BOOST_TEST(off.check_exec("echo")->message.find("--allow-exec") != std::string::npos);

    CommandPolicy any({true, true, {}}, "/proc", 1);
    BOOST_TEST(!any.check_exec("anything"));

    CommandPolicy listed({true, true, {"echo", "uptime"}}, "/proc", 1);
    BOOST_TEST(!listed.check_exec("echo"));
    BOOST_REQUIRE(listed.check_exec("/bin/echo"));  // exact match of the cmd string
    BOOST_TEST(listed.check_exec("/bin/echo")->message == "program '/bin/echo' is not in --exec-allow");

    CommandPolicy none({false, false, {}}, "/proc", 1);
    BOOST_REQUIRE(none.check_op("ps"));
    BOOST_TEST(none.check_op("ps")->code == "not_allowed");
}

BOOST_AUTO_TEST_CASE(protected_processes_are_refused_naming_the_rule) {
    FakeProc proc;
    CommandPolicy p({}, proc.root.string(), 500);
    BOOST_TEST((p.ancestors() == std::vector<int>{400, 300, 1}));
    BOOST_TEST(failure(p.check_target(1)) == "refused: pid 1 is init: never signalled or reniced");
    BOOST_TEST(failure(p.check_target(500)) == "refused: pid 500 is the agent itself");
    BOOST_TEST(failure(p.check_target(400)) == "refused: pid 400 (supervise) is an ancestor of the agent");
    BOOST_TEST(failure(p.check_target(300)) == "refused: pid 300 (bash) is an ancestor of the agent");
    BOOST_TEST(failure(p.check_target(2)) == "refused: pid 2 (kthreadd) is a kernel thread");
    BOOST_TEST(failure(p.check_target(700)) == "no_such_process: no process 700");
    auto ok = p.check_target(600);
    BOOST_REQUIRE(std::holds_alternative<Target>(ok));
    BOOST_TEST(std::get<Target>(ok).name == "sleep");
}

BOOST_AUTO_TEST_CASE(ancestry_is_read_afresh) {
    FakeProc proc;
    CommandPolicy p({}, proc.root.string(), 500);
    // The supervisor exits: the agent is reparented to init and 400's pid now names another process.
    proc.add(500, "telehub-agent", 1, 0x400000);
    proc.add(400, "other", 600, 0x400000);
    BOOST_TEST((p.ancestors() == std::vector<int>{1}));
    BOOST_TEST(std::holds_alternative<Target>(p.check_target(400)));
    BOOST_TEST(std::holds_alternative<Target>(p.check_target(300)));
}

BOOST_AUTO_TEST_CASE(a_loop_in_the_tree_ends_the_walk) {
    FakeProc proc;
    proc.add(300, "bash", 500, 0x400000);  // 500 -> 400 -> 300 -> 500
    CommandPolicy p({}, proc.root.string(), 500);
    auto chain = p.ancestors();
    BOOST_TEST(chain.size() <= 3u);
    BOOST_TEST(failure(p.check_target(400)) == "refused: pid 400 (supervise) is an ancestor of the agent");
}

BOOST_AUTO_TEST_CASE(on_the_real_proc_this_process_and_its_parent_are_protected) {
    CommandPolicy p({}, "/proc", static_cast<int>(::getpid()));
    BOOST_TEST(failure(p.check_target(::getpid())).starts_with("refused: "));
    BOOST_TEST(failure(p.check_target(::getppid())).find("is an ancestor of the agent") != std::string::npos);
    BOOST_TEST(failure(p.check_target(1)).starts_with("refused: "));
}
