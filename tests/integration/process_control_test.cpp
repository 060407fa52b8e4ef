// Process control end to end on loopback: REST request -> hub relay -> a real
// telehub-agent -> the OS, and back, with tokens, the Origin rule, deadlines
// and the audit log (issue #4's "Done when").
#define BOOST_TEST_MODULE process_control
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <sstream>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/hub_harness.hpp"

using namespace telehub;
using namespace telehub::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string agent_binary = TELEHUB_BINARY_DIR "/agent/telehub-agent";
const std::string admin_token = "admin-token-for-tests";
const std::string viewer_token = "viewer-token-for-tests";
const std::string agent_token = "agent-token-for-tests";

fs::path temp_dir() {
    auto d = fs::temp_directory_path() / ("telehub-control-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
}

// One hub with every kind of token, a short --command-timeout, and two real
// agents: "plain" (default policy) and "exec" (--allow-exec --exec-allow echo).
struct ControlFixture {
    fs::path dir = temp_dir();
    fs::path audit = dir / "audit.jsonl";
    HubProcess hub{{"--agent-token", agent_token, "--admin-token", admin_token, "--viewer-token", viewer_token,
                    "--command-timeout", "1.5", "--audit-log", audit.string(), "--quiet"}};
    std::unique_ptr<ChildProcess> plain = start_agent("ctl-plain", {});
    std::unique_ptr<ChildProcess> exec = start_agent("ctl-exec", {"--allow-exec", "--exec-allow", "echo"});

    ControlFixture() {
        for (const auto* id : {"ctl-plain", "ctl-exec"})
            BOOST_REQUIRE_MESSAGE(wait_until([&] { return online(id); }, 10s),
                                  std::string(id) + " did not come online: " + plain->output() + exec->output());
    }
    ~ControlFixture() {
        plain.reset();
        exec.reset();
        fs::remove_all(dir);
    }

    std::unique_ptr<ChildProcess> start_agent(const std::string& id, std::vector<std::string> extra) {
        auto token_file = dir / (id + ".token");
        std::ofstream(token_file) << agent_token << "\n";
        std::vector<std::string> argv{agent_binary, "--hub", "ws://127.0.0.1:" + std::to_string(hub.port) + "/ws/agent",
                                      "--host-id", id, "--interval", "0.5", "--token-file", token_file.string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return std::make_unique<ChildProcess>(argv);
    }

    bool online(const std::string& id) {
        auto r = call("GET", "/api/hosts", {}, viewer_token);
        auto j = json::parse(r.body, nullptr, false);
        if (r.status != 200 || !j.is_object()) return false;
        for (auto& h : j["hosts"])
            if (h["host_id"] == id && h["online"] == true) return true;
        return false;
    }

    HttpResult call(const std::string& method, const std::string& target, const std::string& body = {},
                    const std::string& token = admin_token) const {
        HttpOptions o;
        if (!token.empty()) o.headers.emplace_back("Authorization", "Bearer " + token);
        o.body = body;
        o.timeout = 10s;
        return http_request(hub.port, method, target, o);
    }

    std::vector<json> audit_lines() const {
        std::ifstream in(audit);
        std::vector<json> out;
        for (std::string l; std::getline(in, l);) out.push_back(json::parse(l));
        return out;
    }
};

// A process of the test's own that the agent may act on.
struct Sleeper {
    pid_t pid = -1;
    Sleeper() {
        pid = ::fork();
        if (pid == 0) {
            ::execlp("sleep", "sleep", "600", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        BOOST_REQUIRE(pid > 0);
        // Until exec, the child is still a copy of this test under its name.
        BOOST_REQUIRE(wait_until([&] { return comm() == "sleep\n"; }, 5s));
    }
    std::string comm() const {
        std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
        return std::string((std::istreambuf_iterator<char>(in)), {});
    }
    ~Sleeper() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
    // Reaped when it has been killed; true once it is gone.
    bool gone() {
        int status = 0;
        if (pid > 0 && ::waitpid(pid, &status, WNOHANG) == pid) {
            pid = -1;
            return true;
        }
        return pid < 0;
    }
    int nice() const {
        std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
        std::string text((std::istreambuf_iterator<char>(in)), {});
        std::istringstream fields(text.substr(text.rfind(')') + 2));
        std::string f;
        for (int i = 3; i <= 19; ++i) fields >> f;  // field 19 is nice
        return std::stoi(f);
    }
};

std::string error_code(const HttpResult& r) {
    auto j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(control, ControlFixture)

BOOST_AUTO_TEST_CASE(kill_renice_and_ps_act_on_a_real_process) {
    Sleeper s;
    auto pid = std::to_string(s.pid);

    auto ps = call("GET", "/api/hosts/ctl-plain/ps");
    BOOST_REQUIRE_MESSAGE(ps.status == 200, ps.body);
    // Parsed into a local: a range-for over json::parse(...)["x"] would walk a destroyed temporary.
    const json processes = json::parse(ps.body)["processes"];
    bool listed = false;
    for (const auto& p : processes)
        if (p["pid"] == s.pid) {
            listed = true;
            BOOST_TEST(p["ppid"] == ::getpid());
            BOOST_TEST(p["name"] == "sleep");
            BOOST_TEST(p["username"].is_string());
            BOOST_TEST(p["cmdline"] == json::array({"sleep", "600"}));
        }
    BOOST_TEST(listed, "pid " << s.pid << " not among the " << processes.size() << " processes listed");

    auto renice = call("PATCH", "/api/hosts/ctl-plain/ps", R"({"pid":")" + pid + R"(","priority":7})");
    BOOST_REQUIRE_MESSAGE(renice.status == 200, renice.body);
    BOOST_TEST(s.nice() == 7);

    auto kill = call("DELETE", "/api/hosts/ctl-plain/ps", R"({"pid":)" + pid + "}");
    BOOST_REQUIRE_MESSAGE(kill.status == 200, kill.body);
    BOOST_TEST(json::parse(kill.body)["signal"] == 9);
    BOOST_TEST(wait_until([&] { return s.gone(); }, 5s));

    auto again = call("DELETE", "/api/hosts/ctl-plain/ps", R"({"pid":)" + pid + "}");
    BOOST_TEST(again.status == 404);
    BOOST_TEST(error_code(again) == "no_such_process");
}

BOOST_AUTO_TEST_CASE(exec_follows_the_agent_s_policy) {
    auto run = call("POST", "/api/hosts/ctl-exec/ps", R"({"cmd":"echo","args":["hola"]})");
    BOOST_REQUIRE_MESSAGE(run.status == 200, run.body);
    BOOST_TEST(json::parse(run.body)["pid"].get<int>() > 0);

    auto not_listed = call("POST", "/api/hosts/ctl-exec/ps", R"({"cmd":"sleep","args":["1"]})");
    BOOST_TEST(not_listed.status == 403);
    BOOST_TEST(error_code(not_listed) == "not_allowed");

    auto no_exec = call("POST", "/api/hosts/ctl-plain/ps", R"({"cmd":"echo","args":["hola"]})");
    BOOST_TEST(no_exec.status == 403);
    BOOST_TEST(error_code(no_exec) == "not_allowed");

    auto hello = json::parse(call("GET", "/api/hosts/ctl-exec", {}, viewer_token).body)["hello"]["capabilities"];
    BOOST_TEST((std::find(hello.begin(), hello.end(), "exec") != hello.end()));
    auto plain = json::parse(call("GET", "/api/hosts/ctl-plain", {}, viewer_token).body)["hello"]["capabilities"];
    BOOST_TEST((std::find(plain.begin(), plain.end(), "exec") == plain.end()));
    BOOST_TEST((std::find(plain.begin(), plain.end(), "signal") != plain.end()));
}

BOOST_AUTO_TEST_CASE(protected_processes_are_refused) {
    for (pid_t p : {pid_t(1), plain->pid(), ::getpid()}) {  // pid 1, the agent, its parent (this test)
        auto kill = call("DELETE", "/api/hosts/ctl-plain/ps", R"({"pid":)" + std::to_string(p) + "}");
        BOOST_TEST(kill.status == 403, "pid " << p << ": " << kill.body);
        BOOST_TEST(error_code(kill) == "refused");
        auto renice = call("PATCH", "/api/hosts/ctl-plain/ps", R"({"pid":)" + std::to_string(p) + R"(,"priority":5})");
        BOOST_TEST(renice.status == 403, "pid " << p << ": " << renice.body);
    }
    BOOST_TEST(plain->running());
}

BOOST_AUTO_TEST_CASE(tokens_guard_every_route) {
    BOOST_TEST(call("GET", "/api/hosts/ctl-plain/ps", {}, "").status == 401);
    BOOST_TEST(call("GET", "/api/hosts/ctl-plain/ps", {}, "not-a-real-token").status == 401);
    auto viewer = call("DELETE", "/api/hosts/ctl-plain/ps", R"({"pid":1})", viewer_token);
    BOOST_TEST(viewer.status == 403);
    BOOST_TEST(error_code(viewer) == "forbidden");
    BOOST_TEST(call("GET", "/api/hosts", {}, "").status == 401);
    BOOST_TEST(call("GET", "/api/hosts", {}, viewer_token).status == 200);
    BOOST_TEST(call("GET", "/api/audit", {}, viewer_token).status == 403);
    BOOST_TEST(call("GET", "/healthz", {}, "").status == 200);
    // An agent without the agent token is refused with 1008.
    WsClient ws(hub.port, "/ws/agent");
    ws.send_text(encode_hello(make_hello("intruder")));
    std::vector<std::string> got;
    BOOST_TEST(ws.wait_close(5s, &got).value_or(0) == 1008);
    BOOST_REQUIRE(!got.empty());
    BOOST_TEST(json::parse(got[0])["code"] == "bad_token");
    // The log names whose token was refused, and the host a refused hello was for.
    BOOST_TEST(wait_until([&] { return hub.proc->output().find("/ps from 127.0.0.1:") != std::string::npos &&
                                       hub.proc->output().find(": 403 (credential 'viewer', which may only view)") != std::string::npos &&
                                       hub.proc->output().find("(hello for host 'intruder'): bad_token") != std::string::npos; }, 3s),
               hub.proc->output());
    // No token ever reaches the hub's output.
    BOOST_TEST(hub.proc->output().find(viewer_token) == std::string::npos);
    BOOST_TEST(hub.proc->output().find(admin_token) == std::string::npos);
    BOOST_TEST(hub.proc->output().find("not-a-real-token") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_and_offline_hosts) {
    auto unknown = call("GET", "/api/hosts/no-such-host/ps");
    BOOST_TEST(unknown.status == 404);
    BOOST_TEST(error_code(unknown) == "not_found");
    exec->stop(SIGTERM);
    BOOST_REQUIRE(wait_until([&] { return !online("ctl-exec"); }, 10s));
    auto offline = call("GET", "/api/hosts/ctl-exec/ps");
    BOOST_TEST(offline.status == 409);
    BOOST_TEST(error_code(offline) == "host_offline");
}

BOOST_AUTO_TEST_CASE(a_silent_agent_times_out_while_others_answer) {
    // A fake agent (with the token) that never answers commands.
    WsClient silent(hub.port, "/ws/agent");
    auto hello = make_hello("ctl-silent");
    hello.token = agent_token;
    silent.send_text(encode_hello(hello));
    BOOST_REQUIRE(silent.read(5s).has_value());  // welcome
    silent.send_text(encode_sample(make_sample("ctl-silent", 1, 5)));
    BOOST_REQUIRE(wait_until([&] { return online("ctl-silent"); }, 5s));

    auto started = std::chrono::steady_clock::now();
    auto slow = std::async(std::launch::async, [&] { return call("GET", "/api/hosts/ctl-silent/ps"); });
    // Meanwhile commands to a live agent are answered.
    int answered = 0;
    while (slow.wait_for(0ms) != std::future_status::ready) {
        auto r = call("GET", "/api/hosts/ctl-plain/users");
        BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
        ++answered;
    }
    auto r = slow.get();
    auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(r.status == 504);
    BOOST_TEST(error_code(r) == "agent_timeout");
    BOOST_TEST(answered >= 2);
    BOOST_TEST((took >= 1400ms && took < 4s), "504 after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
    auto cmd = silent.read(1s);  // the command did reach the fake agent
    BOOST_REQUIRE(cmd.has_value());
    BOOST_TEST(json::parse(*cmd)["op"] == "ps");
}

BOOST_AUTO_TEST_CASE(cross_origin_upgrades_and_writes_are_refused) {
    auto upgrade = [&](const std::string& origin) {
        HttpOptions o;
        o.headers = {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Version", "13"},
                     {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}, {"Origin", origin},
                     {"Authorization", "Bearer " + viewer_token}};
        return http_request(hub.port, "GET", "/ws/live", o);
    };
    auto evil = upgrade("http://evil.example");
    BOOST_TEST(evil.status == 403);
    BOOST_TEST(error_code(evil) == "cross_origin");
    BOOST_TEST(upgrade("http://127.0.0.1:" + std::to_string(hub.port)).status == 101);

    HttpOptions o;
    o.headers = {{"Origin", "http://evil.example"}, {"Authorization", "Bearer " + admin_token}};
    o.body = R"({"pid":1})";
    BOOST_TEST(http_request(hub.port, "DELETE", "/api/hosts/ctl-plain/ps", o).status == 403);
}

BOOST_AUTO_TEST_CASE(reports_keep_the_seeds_csv_formats) {
    auto sockets = call("GET", "/api/hosts/ctl-plain/sockets?format=csv");
    BOOST_REQUIRE_MESSAGE(sockets.status == 200, sockets.body);
    BOOST_TEST(sockets.content_type.find("text/csv") == 0u);
    BOOST_TEST(sockets.header("Content-Disposition").find("ctl-plain-sockets.csv") != std::string::npos);
    std::istringstream lines(sockets.body);
    std::string line;
    std::getline(lines, line);
    BOOST_TEST(line == R"("pid","laddr","raddr","status")");
    const std::regex row(R"re(^"(\d+|-)","[^"]+@\d+","[^"]+@\d+","[A-Z_0-9]+"$)re");
    int rows = 0;
    bool to_hub = false;
    const std::string hub_address = ",\"127.0.0.1@" + std::to_string(hub.port) + "\",\"ESTABLISHED\"";
    while (std::getline(lines, line)) {
        BOOST_TEST(std::regex_match(line, row), line);
        to_hub = to_hub || line.ends_with(hub_address);
        ++rows;
    }
    // The agent's own connection to the hub, with its addresses: the streaming
    // sampler keeps none, so the report is a dump of its own.
    BOOST_TEST(to_hub, "no row ends with " << hub_address);

    auto top = call("GET", "/api/hosts/ctl-plain/top?n=5&format=csv");
    BOOST_REQUIRE_MESSAGE(top.status == 200, top.body);
    std::istringstream tl(top.body);
    std::getline(tl, line);
    BOOST_TEST(line == R"("name","pid","utime","stime")");
    const std::regex trow(R"re(^".*",\d+,\d+,\d+$)re");
    int trows = 0;
    while (std::getline(tl, line)) {
        BOOST_TEST(std::regex_match(line, trow), line);
        ++trows;
    }
    BOOST_TEST(trows == 5);
    // A user's count in `users` and the length of its `tasks` agree. The two
    // are separate reads of a busy machine (its compilers come and go between
    // them), so they are asked again until a pair is taken with nothing started
    // or ended in between.
    std::size_t running = 0, listed = 0;
    const bool agreed = wait_until([&] {
        auto users = json::parse(call("GET", "/api/hosts/ctl-plain/users").body);
        if (users["users"].empty()) return false;
        auto name = users["users"][0]["username"].get<std::string>();
        auto tasks = json::parse(call("GET", "/api/hosts/ctl-plain/users/" + name + "/tasks").body);
        running = users["users"][0]["running"].get<std::size_t>();
        listed = tasks["processes"].size();
        return listed == running;
    }, 20s, 100ms);
    BOOST_TEST(agreed, "tasks listed " << listed << " processes, users counted " << running);
}

BOOST_AUTO_TEST_CASE(the_audit_log_has_one_line_per_command_with_its_result) {
    Sleeper s;
    auto kill = call("DELETE", "/api/hosts/ctl-plain/ps", R"({"pid":)" + std::to_string(s.pid) + "}");
    BOOST_REQUIRE_MESSAGE(kill.status == 200, kill.body);
    auto refused = call("DELETE", "/api/hosts/ctl-plain/ps", R"({"pid":1})");
    auto unknown = call("GET", "/api/hosts/nowhere/users");
    call("GET", "/api/hosts/ctl-plain/users", {}, viewer_token);  // 403 before any host is asked: not audited
    // Refused before they became commands, but they named a host: audited too.
    auto bad_body = call("DELETE", "/api/hosts/ctl-plain/ps", R"({"pid":-1})");
    BOOST_TEST(bad_body.status == 400);
    auto not_json = call("PATCH", "/api/hosts/ctl-plain/ps", "priority=5");
    BOOST_TEST(not_json.status == 400);
    auto lines = audit_lines();
    BOOST_REQUIRE(lines.size() == 5u);
    BOOST_TEST(lines[0]["op"] == "signal");
    BOOST_TEST(lines[0]["host"] == "ctl-plain");
    BOOST_TEST(lines[0]["token"] == "admin");
    BOOST_TEST(lines[0]["args"]["pid"] == s.pid);
    BOOST_TEST(lines[0]["status"] == 200);
    BOOST_TEST(lines[0]["result"]["pid"] == s.pid);
    BOOST_TEST(lines[0]["client"].get<std::string>().find("127.0.0.1:") == 0u);
    BOOST_TEST(lines[1]["status"] == 403);
    BOOST_TEST(lines[1]["error"]["code"] == "refused");
    BOOST_TEST(lines[2]["status"] == 404);
    BOOST_TEST(lines[2]["host"] == "nowhere");
    BOOST_TEST(lines[3]["op"] == "signal");
    BOOST_TEST(lines[3]["host"] == "ctl-plain");
    BOOST_TEST(lines[3]["status"] == 400);
    BOOST_TEST(lines[3]["error"]["code"] == "bad_parameter");
    BOOST_TEST(lines[3]["args"]["pid"] == -1, "the body as sent");
    BOOST_TEST(lines[4]["op"] == "renice");
    BOOST_TEST(lines[4]["args"] == "priority=5", "a body that is not JSON is kept as text");
    BOOST_TEST(lines[4]["error"]["code"] == "bad_body");
    BOOST_TEST(!lines[4]["id"].get<std::string>().empty());
    auto api = json::parse(call("GET", "/api/audit?limit=2").body);
    BOOST_REQUIRE(api["entries"].size() == 2u);
    BOOST_TEST(api["entries"][1]["op"] == "renice");
    std::ifstream in(audit);
    std::string all((std::istreambuf_iterator<char>(in)), {});
    BOOST_TEST(all.find(admin_token) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
