// The hub's config file end to end (issue 18): keys set what flags set and
// the command line wins; an unknown key, a bad value and a syntax error each
// stop the hub with status 2 and a line naming the file, line and key; a
// SIGHUP with a changed high_cpu and a new agent token takes effect while
// every agent stays connected (counted from the hub's log: zero reconnects),
// and a broken file on SIGHUP keeps the previous settings. Real hub and real
// agents on 127.0.0.1; every process and file made here is removed here.
#define BOOST_TEST_MODULE config_file
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/hub_harness.hpp"
#include "tests/support/temp_files.hpp"

using namespace telehub::test;
namespace fs = std::filesystem;

namespace {

const std::string agent_binary = TELEHUB_BINARY_DIR "/agent/telehub-agent";


// Replaced in one step, so the hub never reads it half written.
void write_file(const fs::path& p, const std::string& text) {
    auto tmp = p;
    tmp += ".new";
    std::ofstream(tmp, std::ios::trunc) << text;
    fs::rename(tmp, p);
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

double high_cpu_of(const HubProcess& hub) {
    auto j = hub.get_json("/api/hosts");
    return j.is_object() ? j["high_cpu"].get<double>() : -1;
}

std::unique_ptr<ChildProcess> real_agent(std::uint16_t port, const std::string& id, const std::string& token) {
    return std::make_unique<ChildProcess>(std::vector<std::string>{
        agent_binary, "--hub", "ws://127.0.0.1:" + std::to_string(port) + "/ws/agent", "--host-id", id, "--token",
        token, "--interval", "0.2"});
}

// A hub started on `file` that must refuse to start: its exit status and output.
std::pair<int, std::string> refused_start(const fs::path& file) {
    ChildProcess hub({hub_binary, "--listen", "127.0.0.1:" + std::to_string(free_port()), "--config", file.string()});
    auto status = hub.wait(10s);
    BOOST_REQUIRE_MESSAGE(status, "the hub started on " << file);
    return {WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, hub.output()};
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_command_line_wins_over_the_file) {
    TempDir dir("telehub-config");
    auto file = dir.path / "hub.toml";
    write_file(file, "high_cpu = 90\nlog_rate = 5\n");
    HubProcess from_file({"--config", file.string()});
    BOOST_TEST(high_cpu_of(from_file) == 90.0);
    HubProcess overridden({"--config", file.string(), "--high-cpu", "60"});
    BOOST_TEST(high_cpu_of(overridden) == 60.0);
    ::kill(overridden.proc->pid(), SIGHUP);  // and still after a reload
    BOOST_TEST(wait_until([&] { return overridden.proc->output().find("and the settings in " + file.string()) != std::string::npos; }, 5s));
    BOOST_TEST(high_cpu_of(overridden) == 60.0);
}

BOOST_AUTO_TEST_CASE(bad_files_stop_the_hub_naming_file_line_and_key) {
    TempDir dir("telehub-config");
    struct Case {
        const char* name;
        const char* text;
        std::vector<std::string> expect;
    };
    const std::vector<Case> cases = {
        {"unknown.toml", "high_cpu = 70\nhihg_cpu = 60\n", {"unknown.toml:2:", "hihg_cpu", "unknown key", "did you mean 'high_cpu'"}},
        {"range.toml", "# hot mark\n\nhigh_cpu = 150\n", {"range.toml:3:", "high_cpu", "percentage"}},
        {"type.toml", "threads = \"many\"\n", {"type.toml:1:", "threads", "'many'"}},
        {"syntax.toml", "high_cpu = 70\nlog_rate = = 3\n", {"syntax.toml:2:", "log_rate", "syntax error"}},
        {"list.toml", "high_cpu = [1, 2]\n", {"list.toml:1:", "high_cpu", "not a list"}},
    };
    for (const auto& c : cases) {
        auto file = dir.path / c.name;
        write_file(file, c.text);
        auto [code, out] = refused_start(file);
        BOOST_TEST(code == 2, c.name << ": exit " << code << ": " << out);
        for (const auto& e : c.expect) BOOST_TEST(out.find(e) != std::string::npos, c.name << ": no '" << e << "' in: " << out);
    }
}

BOOST_AUTO_TEST_CASE(check_config_parses_the_rules_file) {
    TempDir dir("telehub-config");
    auto check = [](const fs::path& rules) {
        ChildProcess hub({hub_binary, "--check-config", "--rules", rules.string()});
        auto status = hub.wait(10s);
        BOOST_REQUIRE_MESSAGE(status, "--check-config did not exit");
        return std::pair{WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, hub.output()};
    };
    auto good = dir.path / "good.toml";
    write_file(good, "[[rule]]\nname = \"hot\"\nmetric = \"cpu.total\"\nop = \">=\"\nthreshold = 90\nfor = 60\n");
    auto [good_code, good_out] = check(good);
    BOOST_TEST(good_code == 0, "good rules: exit " << good_code << ": " << good_out);

    auto bad = dir.path / "bad.toml";
    write_file(bad, "[[rule]]\nname = \"hot\"\nmetric = \"cpu.totl\"\nop = \">=\"\nthreshold = 90\n");
    auto [bad_code, bad_out] = check(bad);
    BOOST_TEST(bad_code == 2, "bad rules: exit " << bad_code << ": " << bad_out);
    BOOST_TEST(bad_out.find("bad.toml:3:") != std::string::npos, "no file:line in: " << bad_out);
    BOOST_TEST(bad_out.find("cpu.totl") != std::string::npos, "the bad metric is not named in: " << bad_out);

    auto [missing_code, missing_out] = check(dir.path / "absent.toml");
    BOOST_TEST(missing_code == 2, "missing rules file: exit " << missing_code << ": " << missing_out);
    BOOST_TEST(missing_out.find("absent.toml") != std::string::npos, missing_out);
}

BOOST_AUTO_TEST_CASE(sighup_applies_high_cpu_and_a_new_token_without_a_reconnect) {
    TempDir dir("telehub-config");
    auto file = dir.path / "hub.toml";
    write_file(file, "high_cpu = 90\nagent_token = [\"first-token-aaaa\"]\nlog_rate = 0\n");
    HubProcess hub({"--config", file.string()});
    auto a = real_agent(hub.port, "cfg-a", "first-token-aaaa");
    auto b = real_agent(hub.port, "cfg-b", "first-token-aaaa");
    // A fake agent at 70 % cpu: not hot at 90, hot at 50.
    // It says it samples every 10 s, so it stays online on one sample.
    WsClient warm(hub.port, "/ws/agent");
    auto hello = make_hello("cfg-warm", 1000, 10000);
    hello.token = "first-token-aaaa";
    warm.send_text(telehub::encode_hello(hello));
    BOOST_REQUIRE(warm.read(5s));
    BOOST_REQUIRE(warm.send_text(telehub::encode_sample(make_sample("cfg-warm", 1, 70, 10000))));
    auto online = [&](const std::string& id) {
        auto h = hub.host(id);
        return !h.is_null() && h["online"].get<bool>();
    };
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return online("cfg-a") && online("cfg-b") && !hub.host("cfg-warm").is_null(); }, 10s),
                          hub.proc->output());
    BOOST_TEST(hub.host("cfg-warm")["online"].get<bool>() == true);
    BOOST_TEST(hub.host("cfg-warm")["hot"].get<bool>() == false);
    // An agent with a token the hub does not know yet is refused.
    auto c_early = real_agent(hub.port, "cfg-c", "second-token-bbbb");
    BOOST_REQUIRE(wait_until([&] { return hub.stat("auth_failures") > 0; }, 10s));
    c_early.reset();

    write_file(file, "high_cpu = 50\nagent_token = [\"first-token-aaaa\", \"second-token-bbbb\"]\nlog_rate = 0\n");
    ::kill(hub.proc->pid(), SIGHUP);
    BOOST_REQUIRE(wait_until([&] { return high_cpu_of(hub) == 50.0; }, 5s));
    BOOST_TEST(hub.host("cfg-warm")["hot"].get<bool>() == true);
    auto c = real_agent(hub.port, "cfg-c", "second-token-bbbb");
    BOOST_TEST(wait_until([&] { return online("cfg-c"); }, 10s), hub.proc->output());

    // The first agents kept streaming on their first connection.
    auto seq_a = hub.host("cfg-a")["seq"].get<std::uint64_t>();
    BOOST_TEST(wait_until([&] { return hub.host("cfg-a")["seq"].get<std::uint64_t>() > seq_a + 2; }, 5s));
    BOOST_TEST(warm.send_text(telehub::encode_sample(make_sample("cfg-warm", 2, 70, 10000))));
    auto log = hub.proc->output();
    BOOST_TEST(count(log, "agent connected: host 'cfg-a'") == 1u, log);
    BOOST_TEST(count(log, "agent connected: host 'cfg-b'") == 1u);
    BOOST_TEST(count(log, "agent connected: host 'cfg-warm'") == 1u);
    BOOST_TEST(count(log, "agent disconnected") == 0u);
    BOOST_TEST(count(log, "agent replaced") == 0u);
    BOOST_TEST(hub.stat("agents_connected") == 4u);

    // A broken file on SIGHUP: logged, and the settings stay as they were.
    write_file(file, "high_cpu = 20\nagent_token = [\n");
    ::kill(hub.proc->pid(), SIGHUP);
    BOOST_TEST(wait_until([&] { return hub.proc->output().find("configuration reload failed") != std::string::npos; }, 5s));
    BOOST_TEST(high_cpu_of(hub) == 50.0);
    BOOST_TEST(hub.stat("agents_connected") == 4u);
    BOOST_TEST(count(hub.proc->output(), "agent disconnected") == 0u);
}

// logrotate's way: move the log file away, SIGHUP, and the hub writes a new
// one at the path; the moved file keeps what came before.
BOOST_AUTO_TEST_CASE(sighup_reopens_the_log_file) {
    TempDir dir("telehub-logfile");
    auto log = dir.path / "hub.log";
    auto rotated = dir.path / "hub.log.1";
    HubProcess hub({"--log-file", log.string()});
    auto read = [](const fs::path& p) {
        std::ifstream in(p);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    BOOST_REQUIRE(wait_until([&] { return read(log).find("telehub listening") != std::string::npos; }, 5s));
    fs::rename(log, rotated);
    ::kill(hub.proc->pid(), SIGHUP);
    BOOST_TEST(wait_until([&] { return read(log).find("reloaded the credentials files") != std::string::npos; }, 5s),
               "new file: " << read(log) << " rotated: " << read(rotated));
    BOOST_TEST(read(rotated).find("telehub listening") != std::string::npos);
    BOOST_TEST(read(log).find("telehub listening") == std::string::npos);
}
