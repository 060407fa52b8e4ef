// Bad input from an agent gets an error frame and a close code, is counted,
// and never disturbs another agent streaming at the same time.
#include "hub_harness.hpp"

#define BOOST_TEST_MODULE hub_bad_input
#include <boost/test/unit_test.hpp>

#include <thread>

#include "telehub/command.hpp"

using namespace telehub;
using namespace telehub::test;
using nlohmann::json;

namespace {

struct Refusal {
    std::optional<std::uint16_t> code;
    std::string reason;
    json error;  // the error frame before the close
};

// Sends `frames` on a fresh /ws/agent connection (after a hello if `hello`)
// and collects how the hub ends it.
Refusal refuse(HubProcess& hub, const std::vector<std::string>& frames, bool hello, bool binary = false) {
    WsClient ws(hub.port, "/ws/agent");
    if (hello) {
        ws.send_text(encode_hello(make_hello("bad-agent", 5)));
        auto welcome = ws.read(5s);
        BOOST_REQUIRE(welcome);
    }
    for (const auto& f : frames) binary ? ws.send_binary(f) : ws.send_text(f);
    std::vector<std::string> messages;
    Refusal r;
    r.code = ws.wait_close(5s, &messages);
    r.reason = ws.close_reason();
    if (!messages.empty()) r.error = json::parse(messages.back(), nullptr, false);
    return r;
}

void expect(const Refusal& r, std::uint16_t code, const std::string& error_code, const std::string& mention) {
    BOOST_TEST((r.code == std::optional<std::uint16_t>(code)), error_code << " closed with " << r.code.value_or(0));
    BOOST_TEST(r.error["type"] == "error", error_code);
    BOOST_TEST(r.error["code"] == error_code, r.error.dump());
    BOOST_TEST(r.error["message"].get<std::string>().find(mention) != std::string::npos, r.error.dump());
    BOOST_TEST(!r.reason.empty(), error_code);
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_bad_input_is_refused_while_another_agent_streams) {
    HubProcess hub({"--max-frame", "65536"});
    StreamingAgent good(hub.port, "good", 20ms);
    BOOST_REQUIRE(wait_until([&] { return hub.host("good").is_object(); }, 3s));

    auto sample = encode_sample(make_sample("bad-agent", 1, 10));
    expect(refuse(hub, {"{not json"}, true), 1008, "bad_json", "JSON");
    expect(refuse(hub, {R"({"type":"sample","host_id":"bad-agent","seq":"one"})"}, true), 1008, "wrong_type", "seq");
    expect(refuse(hub, {R"({"type":"sample","host_id":"bad-agent","seq":1})"}, true), 1008, "missing_field", "ts_ms");
    expect(refuse(hub, {R"({"type":"gossip"})"}, true), 1008, "unknown_type", "gossip");
    expect(refuse(hub, {sample}, false), 1008, "no_hello", "hello");
    expect(refuse(hub, {encode_sample(make_sample("someone-else", 1, 10))}, true), 1008, "host_mismatch",
           "someone-else");
    expect(refuse(hub, {sample}, true, true), 1003, "binary_frame", "binary");
    expect(refuse(hub, {std::string(70000, ' ') + "{}"}, true), 1009, "frame_too_big", "65536");
    auto bad_hello = make_hello("old-agent");
    bad_hello.protocol = 99;
    expect(refuse(hub, {encode_hello(bad_hello)}, false), 1008, "bad_protocol", "99");
    // A refused hello's host id is logged, and no more than 64 bytes of it: the text is not authenticated.
    auto long_hello = make_hello(std::string(5000, 'x'));
    long_hello.protocol = 99;
    expect(refuse(hub, {encode_hello(long_hello)}, false), 1008, "bad_protocol", "99");
    expect(refuse(hub, {encode_hello(make_hello("bad-agent", 5))}, true), 1008, "repeated_hello", "hello");

    // The good agent kept streaming through all of it.
    auto before = hub.host("good")["seq"].get<std::uint64_t>();
    BOOST_TEST(wait_until([&] { return hub.host("good")["seq"].get<std::uint64_t>() >= before + 5; }, 3s));
    BOOST_TEST(!good.failed());
    BOOST_TEST(hub.host("good")["gaps"] == 0);
    good.stop();
    BOOST_TEST(wait_until([&] { return hub.host("good")["seq"].get<std::uint64_t>() == good.sent(); }, 3s));

    auto stats = hub.get_json("/api/stats");
    auto by = stats["frames_refused_by_reason"];
    for (auto reason : {"bad_json", "wrong_type", "missing_field", "unknown_type", "no_hello", "host_mismatch",
                        "binary_frame", "frame_too_big", "repeated_hello"})
        BOOST_TEST(by[reason] == 1, reason);
    BOOST_TEST(by["bad_protocol"] == 2);
    BOOST_TEST(stats["frames_refused"] == 11);
    // Refusals are logged with the peer address, and a refused hello with the host it was for.
    auto log = hub.proc->output();
    BOOST_TEST(log.find("refused frame from 127.0.0.1:") != std::string::npos);
    BOOST_TEST(log.find("host_mismatch") != std::string::npos);
    BOOST_TEST(log.find("(hello for host 'old-agent'): bad_protocol") != std::string::npos, log);
    BOOST_TEST(log.find("(hello for host '" + std::string(64, 'x') + "...'): bad_protocol") != std::string::npos, log);
    BOOST_TEST(log.find(std::string(65, 'x')) == std::string::npos);
}

// The hub forwards a sample's bytes as received; a reader that takes the last
// copy of a key would see what the hub never checked, so the frame is refused
// and the host keeps the sample before it.
BOOST_AUTO_TEST_CASE(a_sample_with_a_key_sent_twice_is_refused_and_the_one_before_it_kept) {
    HubProcess hub;
    const std::string first = encode_sample(make_sample("bad-agent", 1, 10));
    std::string second = encode_sample(make_sample("bad-agent", 2, 10));
    const auto cpu = second.find(R"("cpu":{)");
    BOOST_REQUIRE(cpu != std::string::npos);
    second.insert(cpu + 7, R"("total":-5,)");
    expect(refuse(hub, {first, second}, true), 1008, "duplicate_field", "field 'cpu.total' is sent twice");
    BOOST_TEST(hub.host("bad-agent")["seq"] == 1);
    const auto by = hub.get_json("/api/stats")["frames_refused_by_reason"];
    BOOST_TEST(by["duplicate_field"] == 1);
    BOOST_TEST(http_get(hub.port, "/metrics").body.find(R"(telehub_hub_frames_refused_total{reason="duplicate_field"} 1)") !=
               std::string::npos);
}

namespace {

// Asks the hub for a host's sockets report on a thread of its own, as a script would.
std::thread ask_for_sockets(const HubProcess& hub, const std::string& admin, HttpResult& out) {
    return std::thread([&hub, admin, &out] {
        HttpOptions o;
        o.headers.emplace_back("Authorization", "Bearer " + admin);
        o.timeout = 15s;
        out = http_request(hub.port, "GET", "/api/hosts/big-replier/sockets?format=csv", o);
    });
}

// The id of the next command the hub sends this fake agent; empty when none came.
std::string next_command_id(WsClient& ws) {
    for (auto deadline = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < deadline;) {
        auto frame = ws.read(1s);
        if (!frame) continue;
        auto j = json::parse(*frame, nullptr, false);
        if (j.is_object() && j["type"] == "command") return j["id"].get<std::string>();
    }
    return {};
}

}  // namespace

// A busy host's sockets or ps report is larger than any sample: a reply the
// hub is waiting for may reach --max-reply, any other frame stays under --max-frame.
BOOST_AUTO_TEST_CASE(a_reply_may_exceed_max_frame_only_while_the_hub_awaits_it) {
    const std::string admin = "admin-token-for-big-replies";
    HubProcess hub({"--max-frame", "65536", "--max-reply", "1048576", "--admin-token", admin});
    FakeAgent agent(hub.port, "big-replier");
    agent.send(10);
    BOOST_REQUIRE(wait_until([&] { return hub.host("big-replier").is_object(); }, 3s));

    std::string report = "\"pid\",\"laddr\",\"raddr\",\"status\"\n";
    for (int i = 0; report.size() < 300000; ++i)
        report += "\"" + std::to_string(1000 + i % 50) + "\",\"127.0.0.1@" + std::to_string(20000 + i) +
                  "\",\"127.0.0.1@8080\",\"ESTABLISHED\"\n";
    const std::string reply_result = json{{"format", "csv"}, {"text", report}}.dump();

    HttpResult answered;
    std::thread asker = ask_for_sockets(hub, admin, answered);
    auto id = next_command_id(agent.ws);
    BOOST_REQUIRE(!id.empty());
    BOOST_REQUIRE(agent.ws.send_text(encode_reply_ok(id, reply_result)));
    asker.join();
    BOOST_TEST(answered.status == 200, answered.body.substr(0, 200));
    BOOST_TEST((answered.body == report));
    BOOST_TEST(agent.send(11));
    BOOST_TEST(wait_until([&] { return hub.host("big-replier")["seq"] == 2; }, 3s));

    // The same frame when nothing is owed: refused at --max-frame.
    BOOST_REQUIRE(agent.ws.send_text(encode_reply_ok(id, reply_result)));
    std::vector<std::string> messages;
    BOOST_TEST((agent.ws.wait_close(5s, &messages) == std::optional<std::uint16_t>(1009)));
    BOOST_REQUIRE(!messages.empty());
    BOOST_TEST(messages.back().find("--max-frame") != std::string::npos, messages.back());

    // Owed, but over --max-reply: refused, and the request answered 502.
    FakeAgent second(hub.port, "big-replier");
    HttpResult refused;
    asker = ask_for_sockets(hub, admin, refused);
    auto id2 = next_command_id(second.ws);
    BOOST_REQUIRE(!id2.empty());
    const std::string huge = json{{"format", "csv"}, {"text", std::string(1100000, 'x')}}.dump();
    BOOST_REQUIRE(second.ws.send_text(encode_reply_ok(id2, huge)));
    asker.join();
    BOOST_TEST(refused.status == 502, refused.body);
    messages.clear();
    BOOST_TEST((second.ws.wait_close(5s, &messages) == std::optional<std::uint16_t>(1009)));
    BOOST_REQUIRE(!messages.empty());
    BOOST_TEST(messages.back().find("--max-reply") != std::string::npos, messages.back());
}

BOOST_AUTO_TEST_CASE(a_second_connection_with_the_same_host_id_takes_over) {
    HubProcess hub;
    FakeAgent first(hub.port, "twin", 42);
    for (int i = 0; i < 3; ++i) first.send(10);
    BOOST_REQUIRE(wait_until([&] { return hub.host("twin")["seq"] == 3; }, 3s));
    FakeAgent second(hub.port, "twin", 42);
    BOOST_TEST(second.welcome_last_seq == 3u);
    BOOST_TEST((first.ws.wait_close(3s) == std::optional<std::uint16_t>(4000)));
    BOOST_TEST(first.ws.close_reason().find("replaced") != std::string::npos);
    second.send(20);
    BOOST_TEST(wait_until([&] { return hub.host("twin")["seq"] == 4; }, 3s));
    // The replaced connection's end does not take the host offline.
    BOOST_TEST(hub.host("twin")["online"] == true);
    BOOST_TEST(hub.host("twin")["cpu"].get<double>() == 20.0);
    BOOST_TEST(wait_until([&] { return hub.stat("agents_connected") == 1; }, 3s));
    BOOST_TEST(hub.stat("agents_replaced") == 1u);
    BOOST_TEST(wait_until([&] { return hub.proc->output().find("agent replaced: host 'twin'") != std::string::npos; }, 3s));
}

BOOST_AUTO_TEST_CASE(gaps_duplicates_and_backfill) {
    HubProcess hub;
    FakeAgent a(hub.port, "gappy", 9);
    auto send = [&](std::uint64_t seq, double cpu, bool backfill) {
        auto s = make_sample("gappy", seq, cpu);
        s.backfill = backfill;
        a.ws.send_text(encode_sample(s));
    };
    send(1, 1, false);
    send(5, 5, false);  // 2..4 missing
    send(5, 5, false);  // duplicate
    send(3, 3, true);   // replayed late: fills a hole
    BOOST_REQUIRE(wait_until([&] { return hub.get_json("/api/stats")["duplicates"] == 1 &&
                                          hub.get_json("/api/hosts/gappy/history")["seq"].size() == 3; }, 3s));
    BOOST_TEST(hub.get_json("/api/hosts/gappy/history")["seq"] == json::array({1, 3, 5}));
    BOOST_TEST(hub.host("gappy")["gaps"] == 2);
    BOOST_TEST(hub.get_json("/api/stats")["gaps"] == 3);
}

BOOST_AUTO_TEST_CASE(a_silent_agent_is_closed_after_the_idle_timeout_and_a_streaming_one_is_not) {
    HubProcess hub({"--agent-idle-timeout", "1"});
    FakeAgent silent(hub.port, "silent", 1);
    FakeAgent streaming(hub.port, "streaming", 2);
    BOOST_REQUIRE(silent.send(10));
    // Stream from one agent for 3 s (three idle limits), every 200 ms, while the other stays silent.
    const auto start = std::chrono::steady_clock::now();
    std::optional<std::uint16_t> code;
    while (std::chrono::steady_clock::now() - start < 3s || (!code && std::chrono::steady_clock::now() - start < 8s)) {
        BOOST_REQUIRE(streaming.send(20));
        if (!code) code = silent.ws.wait_close(200ms);
        else std::this_thread::sleep_for(200ms);  // pacing the stream, not waiting for a result
    }
    BOOST_TEST((code == std::optional<std::uint16_t>(1001)));
    BOOST_TEST(silent.ws.close_reason().find("idle") != std::string::npos);
    BOOST_TEST(!streaming.ws.closed());
    BOOST_TEST(streaming.send(21));
    BOOST_TEST(wait_until([&] { return hub.host("streaming")["seq"] == streaming.seq; }, 3s));
    BOOST_TEST(wait_until([&] { return hub.proc->output().find("host 'silent'") != std::string::npos &&
                                       hub.proc->output().find("idle: no frame for 1 s") != std::string::npos; },
                          3s));
}
