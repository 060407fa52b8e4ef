// Faults from the outside (issue #20): peers that trickle, stop mid-frame or
// never speak, a hub out of file descriptors, an audit log that cannot be
// written. Each case fails without the behaviour it names.
#include "hub_harness.hpp"

#define BOOST_TEST_MODULE hub_faults
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <thread>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/proc_usage.hpp"
#include "raw_agent.hpp"

using namespace telehub;
using namespace telehub::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Every seq the hub holds for `id`, one after another with no hole.
void expect_contiguous(const HubProcess& hub, const std::string& id) {
    auto seqs = hub.get_json("/api/hosts/" + id + "/history")["seq"].get<std::vector<std::uint64_t>>();
    BOOST_REQUIRE_MESSAGE(seqs.size() >= 5, id << " has " << seqs.size() << " points");
    for (std::size_t i = 1; i < seqs.size(); ++i) BOOST_TEST_REQUIRE(seqs[i] == seqs[i - 1] + 1, id);
    BOOST_TEST(hub.host(id)["gaps"] == 0, id);
}

// True when the hub ends the connection within `timeout`: EOF, or a
// WebSocket close frame (0x88) it sends before waiting for ours.
bool closed_by_hub(RawSocket& s, std::chrono::milliseconds timeout) {
    std::string in;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!s.read_some(in, 50ms)) return true;
        if (in.find('\x88') != std::string::npos) return true;
    }
    return false;
}

// Sends `bytes` one at a time, `gap` apart, until the hub closes the
// connection; returns how long that took, or nullopt if it was still open at `limit`.
std::optional<std::chrono::milliseconds> trickle(RawSocket& s, const std::string& bytes, std::chrono::milliseconds gap,
                                                 std::chrono::milliseconds limit) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; std::chrono::steady_clock::now() - start < limit; ++i) {
        if (!s.send(bytes.substr(i % bytes.size(), 1)) || closed_by_hub(s, gap))
            return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    }
    return std::nullopt;
}

void raise_fd_limit(rlim_t want) {
    rlimit r{};
    ::getrlimit(RLIMIT_NOFILE, &r);
    if (r.rlim_cur >= want) return;
    r.rlim_cur = std::min(want, r.rlim_max);
    BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &r) == 0);
    BOOST_REQUIRE_MESSAGE(r.rlim_cur >= want, "hard RLIMIT_NOFILE " << r.rlim_max << " is under " << want);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_request_header_sent_one_byte_a_second_is_closed_at_the_header_timeout) {
    HubProcess hub({"--http-header-timeout", "2", "--quiet"});
    RawSocket s(hub.port);
    auto closed = trickle(s, ws_upgrade_request("/ws/agent"), 1000ms, 8s);
    BOOST_REQUIRE_MESSAGE(closed, "a header trickled for 8 s was never cut off");
    // A deadline for the whole header, not an idle timer each byte re-arms.
    BOOST_TEST(closed->count() >= 1500);
    BOOST_TEST(closed->count() < 4000);
    BOOST_TEST(http_get(hub.port, "/healthz").status == 200);
}

BOOST_AUTO_TEST_CASE(an_agent_frame_sent_one_byte_a_second_is_closed_at_the_frame_deadline) {
    HubProcess hub({"--agent-idle-timeout", "2", "--quiet"});
    StreamingAgent good(hub.port, "steady", 100ms);
    RawSocket s(hub.port);
    hello_over(s, "trickler");
    // The frame's header and mask key at once, so the WebSocket layer hands
    // the payload up as it comes; then each byte well inside the idle limit:
    // only a deadline on the whole frame ends it.
    const auto frame = ws_text_frame(encode_sample(make_sample("trickler", 1, 10)));
    BOOST_REQUIRE(s.send(frame.substr(0, 8)));
    auto closed = trickle(s, frame.substr(8), 1000ms, 9s);
    BOOST_REQUIRE_MESSAGE(closed, "a frame trickled one byte a second for 9 s was never cut off");
    BOOST_TEST(closed->count() < 5000);
    BOOST_TEST(!good.failed());
    good.stop();
    expect_contiguous(hub, "steady");
}

BOOST_AUTO_TEST_CASE(an_agent_stopped_mid_frame_goes_offline_and_the_others_see_no_gap) {
    HubProcess hub({"--agent-idle-timeout", "2", "--quiet"});
    StreamingAgent a(hub.port, "runner-a", 100ms), b(hub.port, "runner-b", 100ms);
    // The connection and every byte the stopped agent sends are made before
    // fork: the child only makes system calls (it is a copy of a process with
    // threads), and it holds the socket while it is stopped.
    RawSocket s(hub.port);
    hello_over(s, "frozen");
    const auto first = ws_text_frame(encode_sample(make_sample("frozen", 1, 10)));
    const auto second = ws_text_frame(encode_sample(make_sample("frozen", 2, 10)));
    pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::write(s.fd(), first.data(), first.size()) < 0 || ::write(s.fd(), second.data(), second.size() / 2) < 0)
            ::_exit(1);
        ::raise(SIGSTOP);
        ::_exit(0);
    }
    struct Reap {
        pid_t pid;
        ~Reap() {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    } reap{pid};
    int status = 0;
    BOOST_REQUIRE(::waitpid(pid, &status, WUNTRACED) == pid);
    BOOST_REQUIRE_MESSAGE(WIFSTOPPED(status), "the agent child ended before it stopped: status " << status);
    BOOST_REQUIRE(wait_until([&] { return hub.host("frozen")["seq"] == 1; }, 3s));
    BOOST_TEST(hub.host("frozen")["online"] == true);

    // Offline after the idle grace, while the stopped process still holds its socket.
    const auto stopped = std::chrono::steady_clock::now();
    BOOST_REQUIRE(wait_until([&] { return hub.host("frozen")["online"] == false; }, 6s));
    BOOST_TEST((std::chrono::steady_clock::now() - stopped < 5s));
    BOOST_TEST(hub.host("frozen")["seq"] == 1);  // the half frame was never taken as a sample

    BOOST_TEST(!a.failed());
    BOOST_TEST(!b.failed());
    a.stop();
    b.stop();
    for (const auto* id : {"runner-a", "runner-b"}) {
        BOOST_TEST(wait_until([&] { return hub.host(id)["seq"] == (id == std::string("runner-a") ? a.sent() : b.sent()); }, 3s));
        expect_contiguous(hub, id);
        BOOST_TEST(hub.host(id)["online"] == true);
    }
}

BOOST_AUTO_TEST_CASE(five_thousand_silent_connections_are_closed_at_the_header_timeout_and_memory_returns) {
    constexpr std::size_t idle = 5000;
    raise_fd_limit(idle + 1024);  // for this process and, inherited, the hub
    // The first silent socket is closed a header timeout after it came; all
    // 5,000 must be open at once before that: 6 s leaves a loaded machine
    // (the suite's other tests beside it) room to open them.
    HubProcess hub({"--http-header-timeout", "6", "--quiet"});
    StreamingAgent agent(hub.port, "busy", 100ms);
    for (int i = 0; i < 20; ++i) http_get(hub.port, "/api/hosts");  // warm up the allocator
    const auto rss_before = rss_kb(hub.proc->pid());
    // The baseline once the warm-up's connections are gone: the same count
    // three reads in a row (a count taken while the hub was still closing
    // one made the 5,000 below look one short).
    std::size_t fds_before = 0;
    int same = 0;
    BOOST_REQUIRE(wait_until([&] {
        const std::size_t n = open_fds(hub.proc->pid());
        same = n == fds_before ? same + 1 : 0;
        fds_before = n;
        return same >= 2;
    }, 5s, 100ms));

    std::vector<RawSocket> silent;
    silent.reserve(idle);
    for (std::size_t i = 0; i < idle; ++i) silent.emplace_back(hub.port);
    std::size_t most = 0;
    BOOST_REQUIRE_MESSAGE(wait_until([&] { most = std::max<std::size_t>(most, open_fds(hub.proc->pid())); return most >= fds_before + idle; }, 10s),
                          "hub fds: " << fds_before << " before, at most " << most);
    const auto rss_peak = rss_kb(hub.proc->pid());
    // All closed by the hub: each socket reads EOF, and the hub's descriptors are back.
    std::size_t closed = 0;
    for (auto& s : silent) closed += s.wait_closed(11s) ? 1 : 0;
    BOOST_TEST(closed == idle);
    silent.clear();
    BOOST_TEST(wait_until([&] { return open_fds(hub.proc->pid()) <= fds_before + 2; }, 5s));
    const auto rss_after = rss_kb(hub.proc->pid());
    std::printf("idle connections: hub RSS %.1f MB before, %.1f MB with %zu open, %.1f MB after they were closed\n",
                rss_before / 1024.0, rss_peak / 1024.0, idle, rss_after / 1024.0);
    // Bounded by the peak: Asio's reactor keeps per-socket state pooled for
    // reuse and malloc keeps its arenas, so RSS stays near the peak rather
    // than falling to where it started (docs/testing.md).
    BOOST_TEST(rss_after <= rss_peak + 1024, "RSS " << rss_peak << " kB at the peak, " << rss_after << " kB after");
    BOOST_TEST(rss_peak < rss_before + idle * 8, "over 8 kB per silent connection: " << rss_peak << " kB");
    BOOST_TEST(!agent.failed());
    agent.stop();
    expect_contiguous(hub, "busy");
}

BOOST_AUTO_TEST_CASE(out_of_file_descriptors_the_hub_refuses_new_connections_and_keeps_the_old) {
    TempDir data{"telehub-fds"};
    const auto port = free_port();
    // 64 descriptors: the hub's own files, the agent below and a few dozen more.
    ChildProcess hub({"/bin/sh", "-c",
                      "ulimit -n 64 && exec " + hub_binary + " --listen 127.0.0.1:" + std::to_string(port) +
                          " --threads 2 --no-persist --quiet --data-dir " + data.str()});
    BOOST_REQUIRE(wait_until([&] { return http_get(port, "/healthz").status == 200; }, 10s));
    StreamingAgent agent(port, "survivor", 100ms);
    WsClient dashboard(port, "/ws/live");

    std::vector<RawSocket> held;
    for (int i = 0; i < 100; ++i) held.emplace_back(port);
    BOOST_REQUIRE(wait_until([&] { return hub.output().find("out of file descriptors") != std::string::npos; }, 5s));
    // Connections past the limit are refused (closed at once), not left hanging.
    std::size_t refused = 0;
    for (auto& s : held) refused += s.wait_closed(10ms) ? 1 : 0;
    BOOST_TEST(refused >= 20u);
    BOOST_TEST(refused < held.size());

    // Still serving what it has, and not spinning on accept.
    const auto cpu_before = cpu_seconds(hub.pid());
    const auto seq_before = agent.sent();
    std::vector<RawSocket> more;
    for (int i = 0; i < 20; ++i) more.emplace_back(port);
    std::this_thread::sleep_for(2s);  // the window CPU is measured over, not a wait for a condition
    const auto cpu = cpu_seconds(hub.pid()) - cpu_before;
    BOOST_TEST(cpu < 0.5, "hub used " << cpu << " s of CPU in 2 s while out of descriptors");
    BOOST_TEST(agent.sent() >= seq_before + 10);
    BOOST_TEST(!agent.failed());
    BOOST_TEST(dashboard.read(3s).has_value());
    std::size_t log_lines = 0;
    for (auto p = hub.output().find("accept failed"); p != std::string::npos; p = hub.output().find("accept failed", p + 1))
        ++log_lines;
    BOOST_TEST(log_lines <= 6u, log_lines << " accept-failure lines: at most one a second");

    // Room again once the held connections go.
    held.clear();
    more.clear();
    BOOST_TEST(wait_until([&] { return http_get(port, "/healthz").status == 200; }, 5s));
    agent.stop();
    auto seqs = json::parse(http_get(port, "/api/hosts/survivor/history").body)["seq"].get<std::vector<std::uint64_t>>();
    for (std::size_t i = 1; i < seqs.size(); ++i) BOOST_TEST_REQUIRE(seqs[i] == seqs[i - 1] + 1);
}

namespace {

// A command on a connected fake agent through an audit log that cannot be
// written: 503, and the agent never hears of it.
void expect_refused_unaudited(const std::string& audit_log) {
    HubProcess hub({"--admin-token", "admin-secret-1", "--audit-log", audit_log, "--quiet"});
    FakeAgent agent(hub.port, "guarded");
    BOOST_REQUIRE(agent.send(10));
    BOOST_REQUIRE(wait_until([&] { return hub.host("guarded").is_object(); }, 3s));
    HttpOptions o;
    o.headers.emplace_back("Authorization", "Bearer admin-secret-1");
    o.body = R"({"pid":4242})";
    auto r = http_request(hub.port, "DELETE", "/api/hosts/guarded/ps", o);
    BOOST_TEST(r.status == 503, r.status << " " << r.body);
    auto j = json::parse(r.body, nullptr, false);
    BOOST_TEST(j["error"]["code"] == "audit_unavailable", r.body);
    BOOST_TEST(!agent.ws.read(500ms).has_value(), "the command reached the agent");
    BOOST_TEST(hub.proc->output().find("refused command") != std::string::npos);
    // The hub goes on serving telemetry.
    BOOST_TEST(agent.send(11));
    BOOST_TEST(wait_until([&] { return hub.host("guarded")["seq"] == 2; }, 3s));
    // Forgetting a host is audited too: refused the same way, and the host and its history stay.
    agent.ws.close();
    BOOST_REQUIRE(wait_until([&] { return hub.host("guarded")["online"] == false; }, 5s));
    o.body.clear();
    auto forget = http_request(hub.port, "DELETE", "/api/hosts/guarded", o);
    BOOST_TEST(forget.status == 503, forget.status << " " << forget.body);
    BOOST_TEST(json::parse(forget.body, nullptr, false)["error"]["code"] == "audit_unavailable", forget.body);
    BOOST_TEST(hub.host("guarded")["seq"] == 2);
    BOOST_TEST(hub.proc->output().find("refused to forget host 'guarded'") != std::string::npos, hub.proc->output());
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_audit_log_on_a_full_disk_refuses_commands_with_503_before_they_run) {
    expect_refused_unaudited("/dev/full");  // every write: ENOSPC
}

BOOST_AUTO_TEST_CASE(an_audit_log_that_cannot_be_opened_refuses_commands_with_503) {
    TempDir dir{"telehub-audit"};
    // A directory where the file should be: unwritable even for root.
    expect_refused_unaudited(dir.str());
}

BOOST_AUTO_TEST_CASE(a_body_over_64_kib_is_refused_with_413) {
    HubProcess hub({"--admin-token", "admin-secret-1", "--quiet"});
    HttpOptions o;
    o.headers.emplace_back("Authorization", "Bearer admin-secret-1");
    o.body = std::string(64 * 1024 + 1, 'x');
    auto r = http_request(hub.port, "POST", "/api/hosts/any/ps", o);
    BOOST_TEST(r.status == 413, r.status << " " << r.body);
    BOOST_TEST(r.body.find("64 KiB") != std::string::npos, r.body);
    o.body = std::string(1000, 'x');
    BOOST_TEST(http_request(hub.port, "POST", "/api/hosts/any/ps", o).status != 413);
}
