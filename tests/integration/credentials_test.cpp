// Per-agent credentials end to end on loopback (issue #16's "Done when"):
// `telehub token new` writes digest lines and prints the token once; a
// credential bound to other host ids is refused with 4003; SIGHUP after a
// line is removed closes that agent with 4001 and no other; an admin
// credential's name, never its token, is in the audit log; a malformed file
// on SIGHUP keeps the previous table. Real hub, real agents, every process
// started here and stopped by its pid.
#define BOOST_TEST_MODULE credentials
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/hub_harness.hpp"

using namespace telehub::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string agent_binary = TELEHUB_BINARY_DIR "/agent/telehub-agent";

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Replaces a file in one step, so the hub never reads it half written.
void write_file(const fs::path& p, const std::string& text) {
    auto tmp = p;
    tmp += ".new";
    std::ofstream(tmp, std::ios::binary | std::ios::trunc) << text;
    fs::rename(tmp, p);
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

std::string ms(std::chrono::steady_clock::duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", std::chrono::duration<double, std::milli>(d).count());
    return buf;
}


// A short-lived program run to its end, stdout and stderr kept apart.
struct Finished {
    int exit_code = -1;  // -1: killed by a signal
    std::string out, err;
};

Finished run_to_end(std::vector<std::string> argv, const fs::path& dir, std::chrono::milliseconds timeout = 10s) {
    static int n = 0;
    auto stem = dir / ("run-" + std::to_string(++n));
    const std::string out_path = stem.string() + ".out", err_path = stem.string() + ".err";
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int null = ::open("/dev/null", O_RDONLY);
        if (out < 0 || err < 0 || null < 0) ::_exit(126);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::dup2(null, 0);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    int status = 0;
    bool exited = wait_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout, 10ms);
    if (!exited) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        BOOST_FAIL(argv[0] << " did not finish within " << timeout.count() << " ms");
    }
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out_path), read_file(err_path)};
}

// SHA-256 of `text` in hex, computed by coreutils rather than by the hub's code.
std::string sha256_hex(const std::string& text, const fs::path& dir) {
    auto f = dir / "digest-input";
    std::ofstream(f, std::ios::binary | std::ios::trunc) << text;
    auto r = run_to_end({"/usr/bin/sha256sum", f.string()}, dir);
    BOOST_REQUIRE(r.exit_code == 0);
    fs::remove(f);
    return r.out.substr(0, 64);
}

// `telehub token new NAME ARGS... --file FILE`: its stdout must be exactly one token line.
std::string new_token(const std::string& name, std::vector<std::string> args, const fs::path& file,
                      const fs::path& dir) {
    std::vector<std::string> argv{hub_binary, "token", "new", name};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--file", file.string()});
    auto r = run_to_end(argv, dir);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "token new " << name << " exited " << r.exit_code << ": " << r.err);
    static const std::regex token_line("^[0-9a-f]{64}\n$");
    BOOST_REQUIRE_MESSAGE(std::regex_match(r.out, token_line), "stdout of token new " << name << ": '" << r.out << "'");
    return r.out.substr(0, 64);
}

// A hub with credentials files for agents and admins, and real agents each
// reading its token from a file of its own.
struct CredentialsFixture {
    TempDir tmp;
    fs::path agents_file = tmp.path / "agents.credentials";
    fs::path admins_file = tmp.path / "admins.credentials";
    fs::path audit_file = tmp.path / "audit.jsonl";
    std::string web1 = new_token("web1", {"--host", "web1"}, agents_file, tmp.path);
    std::string web2 = new_token("web2", {"--host", "web2"}, agents_file, tmp.path);
    std::string ops = new_token("ops", {"--role", "admin"}, admins_file, tmp.path);
    std::unique_ptr<HubProcess> hub;

    void start_hub() {
        hub = std::make_unique<HubProcess>(std::vector<std::string>{
            "--agent-tokens-file", agents_file.string(), "--admin-tokens-file", admins_file.string(), "--audit-log",
            audit_file.string(), "--quiet"});
    }

    std::unique_ptr<ChildProcess> start_agent(const std::string& token, const std::string& host_id) {
        auto token_file = tmp.path / (host_id + "-" + token.substr(0, 8) + ".token");
        std::ofstream(token_file) << token << "\n";
        return std::make_unique<ChildProcess>(std::vector<std::string>{
            agent_binary, "--hub", "ws://127.0.0.1:" + std::to_string(hub->port) + "/ws/agent", "--host-id", host_id,
            "--interval", "0.2", "--token-file", token_file.string()});
    }

    bool online(const std::string& id) const { return hub->host(id)["online"] == true; }

    std::uint64_t seq(const std::string& id) const {
        auto h = hub->host(id);
        return h.is_object() && h["seq"].is_number() ? h["seq"].get<std::uint64_t>() : 0;
    }

    std::vector<std::uint64_t> history_seqs(const std::string& id) const {
        auto h = hub->get_json("/api/hosts/" + id + "/history");
        if (!h.is_object() || !h["seq"].is_array()) return {};
        return h["seq"].get<std::vector<std::uint64_t>>();
    }

    std::uint64_t refused(const std::string& reason) const {
        auto s = hub->get_json("/api/stats");
        if (!s.is_object()) return 0;
        return s["frames_refused_by_reason"].value(reason, std::uint64_t{0});
    }

    // The agents file with `name`'s line left out.
    std::string agents_without(const std::string& name) const {
        std::istringstream in(read_file(agents_file));
        std::string out;
        for (std::string l; std::getline(in, l);)
            if (l.rfind(name + " ", 0) != 0) out += l + "\n";
        return out;
    }

    bool hub_logged(const std::string& text) const { return hub->proc->output().find(text) != std::string::npos; }

    void sighup() const { BOOST_REQUIRE(::kill(hub->proc->pid(), SIGHUP) == 0); }
};

// What an agent printed about its connection: welcomes and closes.
std::size_t welcomes(const ChildProcess& agent) { return count(agent.output(), ": connected; the hub has seq"); }
std::size_t disconnects(const ChildProcess& agent) {
    auto out = agent.output();
    return count(out, "hub closed the connection") + count(out, "retrying in");
}

// A `sleep 600` of this test's own for the agent to signal; killed and reaped by its pid if still there.
struct Sleeper {
    pid_t pid = -1;
    int status = 0;
    bool gone = false;
    Sleeper() {
        pid = ::fork();
        if (pid == 0) {
            ::execl("/bin/sleep", "sleep", "600", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        BOOST_REQUIRE(pid > 0);
        // Until exec, the child is still a copy of this test under its name.
        auto comm = "/proc/" + std::to_string(pid) + "/comm";
        if (!wait_until([&] { return read_file(comm) == "sleep\n"; }, 5s)) {
            stop();
            BOOST_FAIL("sleep did not start");
        }
    }
    ~Sleeper() { stop(); }
    bool reaped() {
        if (!gone && ::waitpid(pid, &status, WNOHANG) == pid) gone = true;
        return gone;
    }
    void stop() {
        if (gone || pid <= 0) return;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        gone = true;
    }
};

// The stream of `id` holds every seq from its first to its last: no gap.
void require_no_missing_seq(const std::vector<std::uint64_t>& seqs, const std::string& id) {
    BOOST_REQUIRE(!seqs.empty());
    for (std::size_t i = 1; i < seqs.size(); ++i)
        BOOST_TEST_REQUIRE(seqs[i] == seqs[i - 1] + 1, id << ": gap between seq " << seqs[i - 1] << " and " << seqs[i]);
}

}  // namespace

BOOST_AUTO_TEST_CASE(token_new_prints_the_token_once_and_appends_only_its_digest) {
    TempDir tmp;
    auto agents = tmp.path / "agents.credentials";
    auto admins = tmp.path / "admins.credentials";
    auto web1 = new_token("web1", {"--host", "web1"}, agents, tmp.path);
    auto web2 = new_token("web2", {"--host", "web2"}, agents, tmp.path);
    auto ops = new_token("ops", {"--role", "admin"}, admins, tmp.path);
    BOOST_TEST(web1 != web2);
    BOOST_TEST(web1 != ops);

    auto agents_text = read_file(agents);
    auto admins_text = read_file(admins);
    for (const auto& t : {web1, web2, ops}) {
        BOOST_TEST(agents_text.find(t) == std::string::npos, "a token is in the agents file");
        BOOST_TEST(admins_text.find(t) == std::string::npos, "a token is in the admins file");
    }
    // The file made starts with the line naming its role.
    BOOST_TEST(agents_text == "# telehub agent credentials: NAME sha256:DIGEST [HOST,...] (telehub token new --role agent adds one)\n"
                              "web1 sha256:" + sha256_hex(web1, tmp.path) + " web1\n" +  //
                                  "web2 sha256:" + sha256_hex(web2, tmp.path) + " web2\n");
    BOOST_TEST(admins_text == "# telehub admin credentials: NAME sha256:DIGEST (telehub token new --role admin adds one)\n"
                              "ops sha256:" + sha256_hex(ops, tmp.path) + "\n");

    // Another role's credential is refused in a file that names its role, and the file is left as it was.
    for (const auto& [role_args, file] : {std::pair{std::vector<std::string>{"--role", "viewer"}, agents},
                                          std::pair{std::vector<std::string>{}, admins}}) {
        std::vector<std::string> argv{hub_binary, "token", "new", "eve"};
        argv.insert(argv.end(), role_args.begin(), role_args.end());
        argv.insert(argv.end(), {"--file", file.string()});
        auto wrong = run_to_end(argv, tmp.path);
        BOOST_TEST(wrong.exit_code == 2);
        BOOST_TEST(wrong.out.empty());
        BOOST_TEST(wrong.err.find("(its first line says so)") != std::string::npos, wrong.err);
        BOOST_TEST(read_file(file).find("eve") == std::string::npos);
    }

    // The README's `token new ... > web1.token` leaves the token readable by its owner only, whatever the umask.
    const auto out = tmp.path / "web9.token";
    auto redirected = run_to_end({"/bin/sh", "-c", "umask 022; exec \"$0\" token new web9 --file \"$1\" > \"$2\"",
                                  hub_binary, (tmp.path / "more.credentials").string(), out.string()},
                                 tmp.path);
    BOOST_TEST(redirected.exit_code == 0, redirected.err);
    BOOST_TEST(read_file(out).size() == 65u);
    BOOST_TEST(static_cast<unsigned>(fs::status(out).permissions() & fs::perms::all) == 0600u);

    // A second web1 is refused with status 2, naming it, and the file is left as it was.
    auto again =
        run_to_end({hub_binary, "token", "new", "web1", "--host", "web1", "--file", agents.string()}, tmp.path);
    BOOST_TEST(again.exit_code == 2);
    BOOST_TEST(again.out.empty(), "stdout of the refused token new: '" << again.out << "'");
    BOOST_TEST(again.err.find("'web1' is already in " + agents.string()) != std::string::npos, again.err);
    BOOST_TEST(read_file(agents) == agents_text);

    // Its help is there when asked for, and writes nothing.
    auto help = run_to_end({hub_binary, "token", "--help"}, tmp.path);
    BOOST_TEST(help.exit_code == 0, help.err);
    BOOST_TEST(help.out.find("Usage: telehub token new NAME --file FILE") != std::string::npos, help.out);
    BOOST_TEST(help.out.find("--role") != std::string::npos, help.out);
    BOOST_TEST(read_file(agents) == agents_text);
}

BOOST_FIXTURE_TEST_SUITE(hub_with_credentials, CredentialsFixture)

BOOST_AUTO_TEST_CASE(a_credential_bound_to_web1_may_not_speak_for_web2) {
    start_hub();
    // The same token for its own host id is accepted, so the refusal below is the binding's doing.
    auto own = start_agent(web1, "web1");
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return online("web1"); }, 10s), "web1 not online: " << own->output());

    auto stolen = start_agent(web1, "web2");
    bool web2_listed = false;
    auto refused_and_polled = [&] {
        auto hosts = hub->get_json("/api/hosts");
        if (hosts.is_object())
            for (auto& h : hosts["hosts"])
                if (h["host_id"] == "web2") web2_listed = true;
        return stolen->output().find("code 4003") != std::string::npos;
    };
    BOOST_REQUIRE_MESSAGE(wait_until(refused_and_polled, 10s), "no 4003 in the agent's log: " << stolen->output());
    auto said = stolen->output();
    BOOST_TEST(said.find("hub closed the connection with code 4003") != std::string::npos, said);
    BOOST_TEST(said.find("credential 'web1'") != std::string::npos, said);
    BOOST_TEST(said.find("host 'web2'") != std::string::npos, said);
    BOOST_TEST(refused("host_not_allowed") >= 1u);
    const std::string refusal = "host_not_allowed: credential 'web1' may not speak for host 'web2'; closing with 4003";
    BOOST_TEST(wait_until([&] { return hub_logged(refusal); }, 3s), hub->proc->output());

    // It keeps retrying (each retry refused again); web2 never appears.
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return refused_and_polled() && refused("host_not_allowed") >= 2; }, 5s),
                          "no second refusal; agent said: " << stolen->output());
    BOOST_TEST(!web2_listed, "/api/hosts listed web2");
    BOOST_TEST(hub->host("web2").is_null());
    BOOST_TEST(http_get(hub->port, "/api/hosts/web2").status == 404);
    BOOST_TEST(online("web1"));
    BOOST_TEST(disconnects(*own) == 0u, own->output());
}

BOOST_AUTO_TEST_CASE(revoking_web1_closes_it_alone_and_web2_streams_on_without_a_gap) {
    start_hub();
    auto a1 = start_agent(web1, "web1");
    auto a2 = start_agent(web2, "web2");
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return online("web1") && online("web2") && seq("web2") >= 5; }, 10s),
                          "agents did not stream: " << a1->output() << a2->output());
    const auto gaps_before = hub->stat("gaps");
    const auto bad_token_before = refused("bad_token");
    const auto web2_seq_at_hup = seq("web2");

    write_file(agents_file, agents_without("web1"));
    BOOST_REQUIRE(a1->output().find("code 4001") == std::string::npos);
    BOOST_REQUIRE(online("web1"));
    int polls = 0;
    const auto hup = std::chrono::steady_clock::now();
    sighup();
    std::optional<std::chrono::steady_clock::duration> to_log, to_offline;
    bool closed = wait_until(
        [&] {
            // Each time is taken after its check answered: an upper bound on the latency.
            ++polls;
            if (!to_log && a1->output().find("code 4001") != std::string::npos)
                to_log = std::chrono::steady_clock::now() - hup;
            if (!to_offline && hub->host("web1")["online"] == false)
                to_offline = std::chrono::steady_clock::now() - hup;
            return to_log && to_offline;
        },
        3s, 5ms);
    BOOST_REQUIRE_MESSAGE(closed, "web1 not closed with 4001 and offline within 3 s; agent said: " << a1->output()
                                                                                                   << "hub said: "
                                                                                                   << hub->proc->output());
    BOOST_TEST_MESSAGE("SIGHUP -> web1's agent logged 4001: " << ms(*to_log) << " ms; -> web1 offline in /api/hosts: "
                                                              << ms(*to_offline) << " ms (" << polls << " polls)");
    BOOST_TEST(*to_log < 1200ms, "4001 logged " << ms(*to_log) << " ms after SIGHUP");
    BOOST_TEST(*to_offline < 1200ms, "offline " << ms(*to_offline) << " ms after SIGHUP");
    auto said = a1->output();
    BOOST_TEST(said.find("hub closed the connection with code 4001 (this agent's credential was revoked on the hub), "
                         "reason 'credential 'web1' was revoked'") != std::string::npos,
               said);
    // The hub's log is written by a thread of its own: its lines may trail the close a little.
    BOOST_TEST(wait_until([&] { return hub_logged("reloaded the credentials files") &&
                                       hub_logged("closing host 'web1' from 127.0.0.1:"); }, 3s),
               hub->proc->output());

    // web2 streams on: 2 s more at 0.2 s, every seq there, no gap counted, no disconnect in its log.
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return seq("web2") >= web2_seq_at_hup + 10; }, 5s),
                          "web2 stopped at seq " << seq("web2") << " (" << web2_seq_at_hup << " at SIGHUP): "
                                                 << a2->output());
    require_no_missing_seq(history_seqs("web2"), "web2");
    BOOST_TEST(hub->host("web2")["gaps"] == 0);
    BOOST_TEST(hub->stat("gaps") == gaps_before);
    BOOST_TEST(online("web2"));
    BOOST_TEST(welcomes(*a2) == 1u, a2->output());
    BOOST_TEST(disconnects(*a2) == 0u, a2->output());
    BOOST_TEST(!hub_logged("closing host 'web2'"));

    // web1's agent retries with its revoked token: refused as a bad token, and it stays offline.
    BOOST_TEST(wait_until([&] { return refused("bad_token") > bad_token_before; }, 5s),
               "no retry refused; agent said: " << a1->output());
    // The refusal names the host the hello was for: the machine to go and fix.
    BOOST_TEST(wait_until([&] { return hub_logged("(hello for host 'web1'): bad_token: the agent token is not valid"); }, 3s),
               hub->proc->output());
    BOOST_TEST(!online("web1"));
    BOOST_TEST(welcomes(*a1) == 1u, a1->output());
}

BOOST_AUTO_TEST_CASE(the_audit_log_names_the_ops_credential_and_never_holds_its_token) {
    start_hub();
    auto a2 = start_agent(web2, "web2");
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return online("web2"); }, 10s), a2->output());
    // The admin credential replaces the generated admin token: none was made.
    BOOST_TEST(hub->proc->output().find("generated one for this run") == std::string::npos);

    auto call = [&](const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = {}) {
        HttpOptions o;
        o.headers.emplace_back("Authorization", "Bearer " + token);
        o.body = body;
        o.timeout = 10s;
        return http_request(hub->port, method, target, o);
    };
    auto ps = call("GET", "/api/hosts/web2/ps", ops);
    BOOST_REQUIRE_MESSAGE(ps.status == 200, ps.body);
    // An agent credential is no admin: refused before any host is asked, so not audited.
    BOOST_TEST(call("GET", "/api/hosts/web2/ps", web1).status == 401);

    // A signal to a process of this test's own.
    Sleeper sleeper;
    auto kill =
        call("DELETE", "/api/hosts/web2/ps", ops, R"({"pid":)" + std::to_string(sleeper.pid) + R"(,"signal":15})");
    BOOST_REQUIRE_MESSAGE(kill.status == 200, kill.body);
    BOOST_TEST(wait_until([&] { return sleeper.reaped(); }, 5s));
    BOOST_TEST((WIFSIGNALED(sleeper.status) && WTERMSIG(sleeper.status) == SIGTERM));

    auto audit = call("GET", "/api/audit", ops);
    BOOST_REQUIRE_MESSAGE(audit.status == 200, audit.body);
    const json entries = json::parse(audit.body)["entries"];
    BOOST_REQUIRE_MESSAGE(entries.size() == 2u, audit.body);
    BOOST_TEST(entries[0]["op"] == "ps");
    BOOST_TEST(entries[1]["op"] == "signal");
    BOOST_TEST(entries[1]["args"]["pid"] == sleeper.pid);
    for (const auto& e : entries) {
        BOOST_TEST(e["token"] == "ops", e.dump());
        BOOST_TEST(e["host"] == "web2");
        BOOST_TEST(e["status"] == 200);
    }
    // The file holds the same two lines; the token itself is nowhere.
    auto file = read_file(audit_file);
    BOOST_TEST(count(file, "\"token\":\"ops\"") == 2u, file);
    BOOST_TEST(file.find(ops) == std::string::npos);
    BOOST_TEST(audit.body.find(ops) == std::string::npos);
    BOOST_TEST(wait_until([&] { return hub_logged("command signal on host 'web2' by ops from 127.0.0.1:"); }, 3s),
               hub->proc->output());
    BOOST_TEST(!hub_logged(ops));
}

BOOST_AUTO_TEST_CASE(a_malformed_file_on_sighup_keeps_the_previous_table) {
    start_hub();
    auto a1 = start_agent(web1, "web1");
    auto a2 = start_agent(web2, "web2");
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return online("web1") && online("web2") && seq("web2") >= 5; }, 10s),
                          "agents did not stream: " << a1->output() << a2->output());
    const auto gaps_before = hub->stat("gaps");
    const auto web2_seq_at_hup = seq("web2");

    // web1's line is gone, but line 2 is broken: the whole file is refused, web1 included.
    const auto good = agents_without("web1");
    write_file(agents_file, good + "web3 not-a-digest web3\n");
    sighup();
    const auto broken_line = std::count(good.begin(), good.end(), '\n') + 1;
    const std::string failed = "credentials reload failed, keeping the previous ones: " + agents_file.string() + ":" +
                               std::to_string(broken_line) + ": ";
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return hub->proc->output().find(failed) != std::string::npos; }, 3s),
                          "no failed reload in the hub's log: " << hub->proc->output());

    // web2 streams on without a gap; web1, which the broken file would have revoked, too.
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return seq("web2") >= web2_seq_at_hup + 10; }, 5s),
                          "web2 stopped at seq " << seq("web2") << ": " << a2->output());
    require_no_missing_seq(history_seqs("web2"), "web2");
    BOOST_TEST(hub->stat("gaps") == gaps_before);
    BOOST_TEST(online("web1"));
    BOOST_TEST(online("web2"));
    for (auto* a : {a1.get(), a2.get()}) {
        BOOST_TEST(welcomes(*a) == 1u, a->output());
        BOOST_TEST(disconnects(*a) == 0u, a->output());
    }
    BOOST_TEST(hub->proc->output().find("closing host") == std::string::npos);

    // The same change without the broken line does revoke web1: the kept table was what saved it.
    write_file(agents_file, good);
    sighup();
    BOOST_TEST(wait_until([&] { return a1->output().find("code 4001") != std::string::npos; }, 3s),
               "web1 not revoked by the corrected file: " << a1->output() << hub->proc->output());
    BOOST_TEST(disconnects(*a2) == 0u, a2->output());
}

BOOST_AUTO_TEST_SUITE_END()
