// The hub's REST API and static files, fed by fake agents.
#include "hub_harness.hpp"

#define BOOST_TEST_MODULE hub_rest
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string_view>

#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/raw_socket.hpp"

using namespace telehub;
using namespace telehub::test;
using nlohmann::json;

BOOST_AUTO_TEST_CASE(two_hosts_appear_and_history_grows) {
    HubProcess hub;
    FakeAgent a(hub.port, "alpha");
    FakeAgent b(hub.port, "beta");
    BOOST_TEST(a.welcome_last_seq == 0u);
    a.send(12.5);
    b.send(91);
    BOOST_TEST(wait_until([&] { return hub.get_json("/api/hosts")["hosts"].size() == 2; }, 3s));
    auto alpha = hub.host("alpha");
    BOOST_TEST(alpha["hostname"] == "alpha.test");
    BOOST_TEST(alpha["online"] == true);
    BOOST_TEST(alpha["cpu"].get<double>() == 12.5);
    BOOST_TEST(alpha["top"]["name"] == "burner");
    BOOST_TEST(alpha["tcp_established"] == 12);
    BOOST_TEST(alpha["sockets_total"] == 22);
    BOOST_TEST(hub.host("beta")["hot"] == true);
    BOOST_TEST(alpha["hot"] == false);

    for (int i = 0; i < 4; ++i) a.send(20 + i);
    BOOST_TEST(wait_until([&] { return hub.get_json("/api/hosts/alpha/history")["seq"].size() == 5; }, 3s));
    auto h = hub.get_json("/api/hosts/alpha/history?seconds=3600");
    BOOST_TEST(h["host_id"] == "alpha");
    BOOST_TEST(h["interval_ms"] == 200);
    BOOST_TEST(h["seq"] == json::array({1, 2, 3, 4, 5}));
    BOOST_TEST(h["cpu"].back().get<double>() == 23.0);
    BOOST_TEST(h["per_core"].size() == 2u);
    BOOST_TEST(h["top_name"][0] == "burner");
    for (auto key : {"ts_ms", "load1", "tcp_established", "tcp_listen", "tcp_time_wait", "tcp_close_wait", "udp",
                     "unix", "top_cpu"})
        BOOST_TEST(h[key].size() == 5u, key);

    // The latest sample, as the agent sent it.
    auto d = http_get(hub.port, "/api/hosts/alpha");
    BOOST_TEST(d.status == 200);
    auto dj = json::parse(d.body);
    BOOST_TEST(dj["host"]["seq"] == 5);
    BOOST_TEST(dj["hello"]["instance"] == 1000);
    BOOST_TEST(!dj["hello"].contains("token"));
    BOOST_TEST(dj["sample"] == json::parse(encode_sample(make_sample("alpha", 5, 23))));

    auto stats = hub.get_json("/api/stats");
    BOOST_TEST(stats["samples_received"] == 6);
    BOOST_TEST(stats["agents_connected"] == 2);
    BOOST_TEST(stats["bytes_received"].get<std::uint64_t>() > 0u);
    BOOST_TEST(stats["history_points"] == 6);  // every sample is a history point
    BOOST_TEST(stats["history_bytes"].get<std::uint64_t>() >= 6u * 8);
    auto health = hub.get_json("/healthz");
    BOOST_TEST(health["status"] == "ok");
    BOOST_TEST(health.contains("frames_refused"));
}

BOOST_AUTO_TEST_CASE(cpu_filter_on_the_api) {
    HubProcess hub;
    FakeAgent hot(hub.port, "web-hot");
    FakeAgent cool(hub.port, "db-cool");
    hot.send(95);
    cool.send(5);
    // Listed from the hello on, so wait for each host's sample, not for the two rows.
    BOOST_REQUIRE(wait_until([&] { return hub.host("web-hot")["seq"] == 1 && hub.host("db-cool")["seq"] == 1; }, 3s));
    auto only_hot = hub.get_json("/api/hosts?min_cpu=80");
    BOOST_REQUIRE(only_hot["hosts"].size() == 1u);
    BOOST_TEST(only_hot["hosts"][0]["host_id"] == "web-hot");
    BOOST_TEST(only_hot["counts"]["total"] == 2);
    BOOST_TEST(only_hot["counts"]["hot"] == 1);
    BOOST_TEST(hub.get_json("/api/hosts?max_cpu=10")["hosts"][0]["host_id"] == "db-cool");
    BOOST_TEST(hub.get_json("/api/hosts?q=DB")["hosts"].size() == 1u);
    BOOST_TEST(hub.get_json("/api/hosts?q=cool.TEST")["hosts"][0]["host_id"] == "db-cool");
    BOOST_TEST(hub.get_json("/api/hosts?min_cpu=50&q=db")["hosts"].empty());
}

BOOST_AUTO_TEST_CASE(a_disconnected_agent_goes_offline_and_resumes_from_last_seq) {
    HubProcess hub;
    {
        FakeAgent a(hub.port, "gone", 777);
        for (int i = 0; i < 3; ++i) a.send(10);
        BOOST_REQUIRE(wait_until([&] { return hub.host("gone")["seq"] == 3; }, 3s));
        a.ws.close();
    }
    auto t0 = std::chrono::steady_clock::now();
    BOOST_TEST(wait_until([&] { return hub.host("gone")["online"] == false; }, 600ms, 10ms));  // 3 intervals of 200 ms
    BOOST_TEST_MESSAGE("offline after " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::steady_clock::now() - t0).count() << " ms");
    BOOST_TEST(hub.host("gone")["last_seen_ms"].get<std::int64_t>() > 0);
    BOOST_TEST(hub.get_json("/api/hosts")["counts"]["offline"] == 1);

    FakeAgent same(hub.port, "gone", 777);
    BOOST_TEST(same.welcome_last_seq == 3u);
    FakeAgent restarted(hub.port, "gone", 778);
    BOOST_TEST(restarted.welcome_last_seq == 0u);
}

BOOST_AUTO_TEST_CASE(a_silent_agent_goes_offline_after_three_intervals) {
    HubProcess hub;
    FakeAgent a(hub.port, "silent");
    a.send(10);
    BOOST_REQUIRE(wait_until([&] { return hub.host("silent")["online"] == true; }, 3s));
    // Still connected, but no sample for more than 3 x 200 ms.
    BOOST_TEST(wait_until([&] { return hub.host("silent")["online"] == false; }, 2s, 20ms));
    a.send(10);
    BOOST_TEST(wait_until([&] { return hub.host("silent")["online"] == true; }, 2s));
}

BOOST_AUTO_TEST_CASE(rest_errors_have_the_json_shape) {
    HubProcess hub;
    auto check = [&](const std::string& method, const std::string& target, int status, const std::string& code,
                     const std::string& mention) {
        auto r = http_request(hub.port, method, target);
        BOOST_TEST(r.status == status, method << " " << target);
        BOOST_TEST(r.content_type == "application/json", target);
        auto j = json::parse(r.body, nullptr, false);
        BOOST_TEST(j["error"]["code"] == code, target << ": " << r.body);
        BOOST_TEST(j["error"]["message"].get<std::string>().find(mention) != std::string::npos, r.body);
        return r;
    };
    check("GET", "/api/hosts/nobody", 404, "not_found", "nobody");
    check("GET", "/api/hosts/nobody/history", 404, "not_found", "nobody");
    check("GET", "/api/nothing", 404, "not_found", "/api/nothing");
    check("GET", "/api/hosts?min_cpu=lots", 400, "bad_parameter", "min_cpu");
    check("GET", "/api/hosts?max_cpu=-1", 400, "bad_parameter", "max_cpu");
    check("GET", "/api/hosts/x/history?seconds=abc", 400, "bad_parameter", "seconds");
    check("GET", "/api/hosts/x/history?seconds=0", 400, "bad_parameter", "seconds");
    auto r = check("POST", "/api/hosts", 405, "method_not_allowed", "POST");
    BOOST_TEST(r.allow == "GET, HEAD");
    check("DELETE", "/api/stats", 405, "method_not_allowed", "DELETE");
    check("PUT", "/index.html", 405, "method_not_allowed", "PUT");
    check("GET", "/ws/agent", 426, "upgrade_required", "/ws/agent");
}

namespace {

struct RawReply {
    int status = 0;
    std::string body;
};

// One request sent as the given bytes (http_client would not send a raw 0xFF
// in a path), read until the hub closes the connection.
RawReply raw_request(std::uint16_t port, std::string_view method, std::string_view target) {
    RawSocket s(port);
    std::string request(method);
    request += " ";
    request += target;
    request += " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    BOOST_REQUIRE(s.send(request));
    std::string in;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline && s.read_some(in, 200ms)) {
    }
    RawReply r;
    if (in.rfind("HTTP/1.1 ", 0) == 0) r.status = std::stoi(in.substr(9, 3));
    if (auto at = in.find("\r\n\r\n"); at != std::string::npos) r.body = in.substr(at + 4);
    return r;
}

}  // namespace

// A path is the peer's bytes and need not be UTF-8, raw or percent-encoded:
// each request gets its JSON error, the terminal log (text or JSON lines)
// writes the refusals it logs, and the hub keeps answering. Before, the JSON
// of the error or of the log line threw and stopped the hub.
BOOST_AUTO_TEST_CASE(paths_that_are_not_utf8_get_their_error_and_the_hub_stays_up) {
    for (const char* format : {"text", "json"}) {
        HubProcess hub({"--log-format", format});
        const std::vector<std::pair<std::string, std::string>> requests = {
            {"GET", "/api/\xff\xfe"},
            {"GET", "/api/hosts/%FF"},
            {"GET", "/api/hosts/%FF/history"},
            {"DELETE", "/api/hosts/%C3"},
            {"DELETE", "/api/hosts/\xff"},  // refused without a token, and logged
            {"POST", "/api/hosts/web-1/ps/\xff"},
            {"GET", "/api/hosts/web-1/users/%FF/tasks"},
        };
        for (const auto& [method, target] : requests) {
            auto r = raw_request(hub.port, method, target);
            BOOST_TEST((r.status >= 400 && r.status < 500), format << " " << method << " " << target << ": " << r.status);
            auto j = json::parse(r.body, nullptr, false);
            BOOST_TEST(j.is_object(), format << " " << method << " " << target << ": " << r.body);
            BOOST_TEST(j.contains("error"), r.body);
            BOOST_TEST(hub.proc->running(), format << " " << method << " " << target << ": " << hub.proc->output());
        }
        BOOST_TEST(http_get(hub.port, "/healthz").status == 200, format);
        BOOST_TEST(wait_until([&] { return hub.proc->output().find("refused DELETE /api/hosts/") != std::string::npos; }, 5s),
                   hub.proc->output());
    }
}

BOOST_AUTO_TEST_CASE(static_files_and_traversal) {
    namespace fs = std::filesystem;
    auto base = fs::temp_directory_path() / ("telehub-hub-web-" + std::to_string(::getpid()));
    fs::remove_all(base);
    fs::create_directories(base / "web" / "js");
    std::ofstream(base / "web" / "index.html") << "<!doctype html><title>telehub</title>";
    std::ofstream(base / "web" / "js" / "app.js") << "console.log(1)";
    std::ofstream(base / "secret.txt") << "do not serve";
    fs::create_symlink(base / "secret.txt", base / "web" / "leak.txt");
    {
        HubProcess hub({"--web-root", (base / "web").string()});
        auto index = http_get(hub.port, "/");
        BOOST_TEST(index.status == 200);
        BOOST_TEST(index.content_type == "text/html; charset=utf-8");
        BOOST_TEST(index.body.find("<title>telehub</title>") != std::string::npos);
        auto js = http_get(hub.port, "/js/app.js");
        BOOST_TEST(js.status == 200);
        BOOST_TEST(js.content_type == "text/javascript; charset=utf-8");
        auto head = http_request(hub.port, "HEAD", "/js/app.js");
        BOOST_TEST(head.status == 200);
        BOOST_TEST(head.body.empty());
        for (std::string bad : {"/../secret.txt", "/js/../../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
                                "/js/%2E%2E%2F%2E%2E%2Fsecret.txt", "/..%5csecret.txt"}) {
            auto res = http_get(hub.port, bad);
            BOOST_TEST(res.status == 400, bad);
            BOOST_TEST(res.body.find("do not serve") == std::string::npos, bad);
            BOOST_TEST(json::parse(res.body)["error"]["code"] == "bad_path", bad);
        }
        for (std::string bad : {"/leak.txt", "//etc/passwd", "/missing.css"}) {
            auto res = http_get(hub.port, bad);
            BOOST_TEST(res.status == 404, bad);
            BOOST_TEST(res.body.find("do not serve") == std::string::npos, bad);
            BOOST_TEST(json::parse(res.body)["error"]["code"] == "not_found", bad);
        }
    }
    fs::remove_all(base);
}

BOOST_AUTO_TEST_CASE(bad_command_line_exits_2_with_one_line) {
    for (std::vector<std::string> args : {std::vector<std::string>{"--threads", "many"},
                                          {"--listen", "nowhere"},
                                          {"--log-format", "xml"},
                                          {"--high-cpu", "150"},
                                          {"--no-such-flag"},
                                          {"--web-root", "/nonexistent/telehub"}}) {
        std::vector<std::string> argv = {hub_binary};
        argv.insert(argv.end(), args.begin(), args.end());
        ChildProcess p(argv);
        auto status = p.wait(5s);
        BOOST_REQUIRE(status.has_value());
        BOOST_TEST(WIFEXITED(*status));
        BOOST_TEST(WEXITSTATUS(*status) == 2, args[0]);
        auto out = p.output();
        BOOST_TEST(out.find(args[0].substr(2)) != std::string::npos, out);
        BOOST_TEST(std::count(out.begin(), out.end(), '\n') == 1, out);
    }
    ChildProcess help({hub_binary, "--help"});
    auto status = help.wait(5s);
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(WEXITSTATUS(*status) == 0);
    BOOST_TEST(help.output().find("--max-frame") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sigterm_closes_agents_with_a_close_frame_and_exits_0) {
    HubProcess hub;
    FakeAgent a(hub.port, "stopping");
    a.send(10);
    BOOST_REQUIRE(wait_until([&] { return hub.host("stopping")["seq"] == 1; }, 3s));
    auto status = hub.proc->stop(SIGTERM, 5s);
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(WIFEXITED(*status));
    BOOST_TEST(WEXITSTATUS(*status) == 0);
    BOOST_TEST((a.ws.wait_close(2s) == std::optional<std::uint16_t>(1001)));
}
