// The WebSocket layer of /ws/agent (hub/net/ws_server_stream.hpp) against
// frames a library client rarely sends: fragments with a ping between them,
// frames a server must refuse, the agent's own close, and bad upgrades.
#define BOOST_TEST_MODULE integration_hub_websocket
#include "hub_harness.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/socket.h>

#include "raw_agent.hpp"

using namespace telehub;
using namespace telehub::test;

namespace {

// What the hub sends until it closes the TCP connection (or `timeout`).
struct Ending {
    std::string bytes;
    bool eof = false;
};

Ending read_to_end(RawSocket& s, std::chrono::milliseconds timeout) {
    Ending e;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
        if (!s.read_some(e.bytes, 50ms)) {
            e.eof = true;
            break;
        }
    return e;
}

// The close code of the first close frame (0x88) in what the hub sent, or 0.
std::uint16_t close_code_in(const std::string& bytes) {
    for (std::size_t i = 0; i + 3 < bytes.size(); ++i)
        if (static_cast<unsigned char>(bytes[i]) == 0x88 && (static_cast<unsigned char>(bytes[i + 1]) & 0x7f) >= 2)
            return static_cast<std::uint16_t>((static_cast<unsigned char>(bytes[i + 2]) << 8) |
                                              static_cast<unsigned char>(bytes[i + 3]));
    return 0;
}

std::string code_bytes(std::uint16_t code) {
    return {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_sample_in_fragments_with_a_ping_between_is_taken_whole_and_the_ping_answered) {
    HubProcess hub({"--quiet"});
    RawSocket s(hub.port);
    hello_over(s, "fragmented");
    const std::string sample = encode_sample(make_sample("fragmented", 1, 42));
    const std::size_t third = sample.size() / 3;
    std::string burst = ws_frame(0x01, sample.substr(0, third));          // text, not the last fragment
    burst += ws_frame(0x89, "are-you-there");                             // a ping between fragments
    burst += ws_frame(0x00, sample.substr(third, third));                 // continuation
    BOOST_REQUIRE(s.send(burst));
    std::string in;
    BOOST_REQUIRE(wait_until([&] { return s.read_some(in, 50ms) && in.find("are-you-there") != std::string::npos; }, 5s));
    const auto pong = in.find("are-you-there");
    BOOST_TEST(static_cast<unsigned char>(in[pong - 2]) == 0x8au);  // FIN, pong, unmasked, 13 bytes
    BOOST_TEST(static_cast<unsigned char>(in[pong - 1]) == 13u);
    BOOST_TEST(hub.host("fragmented")["seq"] == 0);  // not before the last fragment
    BOOST_REQUIRE(s.send(ws_frame(0x80, sample.substr(2 * third))));  // the last continuation
    BOOST_TEST(wait_until([&] { return hub.host("fragmented")["seq"] == 1; }, 5s));
    BOOST_TEST(hub.host("fragmented")["cpu"] == 42.0);
}

BOOST_AUTO_TEST_CASE(frames_a_server_must_refuse_close_with_1002_and_the_hub_carries_on) {
    HubProcess hub({"--quiet"});
    FakeAgent steady(hub.port, "steady");
    struct Case {
        std::string name;
        std::string frame;
    };
    const std::vector<Case> cases = {
        {"unmasked", ws_frame(0x81, encode_sample(make_sample("bad", 1, 10)), false)},
        {"continuation-first", ws_frame(0x80, "{}")},
        {"reserved-bit", ws_frame(0xc1, "{}")},
        {"reserved-opcode", ws_frame(0x83, "{}")},
        {"fragmented-ping", ws_frame(0x09, "p")},
        {"close-code-1005", ws_frame(0x88, code_bytes(1005))},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        RawSocket s(hub.port);
        hello_over(s, "bad-" + cases[i].name);
        BOOST_REQUIRE(s.send(cases[i].frame));
        auto end = read_to_end(s, 8s);
        BOOST_TEST(end.eof, cases[i].name);
        BOOST_TEST(close_code_in(end.bytes) == 1002, cases[i].name);
        BOOST_TEST(steady.send(static_cast<std::uint64_t>(i + 1)));
    }
    BOOST_TEST(wait_until([&] { return hub.host("steady")["seq"] == cases.size(); }, 5s));
}

BOOST_AUTO_TEST_CASE(a_text_frame_that_is_not_utf8_is_refused_with_1007_and_the_hub_carries_on) {
    HubProcess hub({"--quiet"});
    FakeAgent steady(hub.port, "steady");
    RawSocket s(hub.port);
    hello_over(s, "latin1");
    auto sample = encode_sample(make_sample("latin1", 1, 10));
    const auto name = sample.find("\"host_id\":\"latin1\"");
    BOOST_REQUIRE(name != std::string::npos);
    sample[name + 11] = '\xe9';  // a Latin-1 'e acute' where UTF-8 needs two bytes
    BOOST_REQUIRE(s.send(ws_text_frame(sample)));
    auto end = read_to_end(s, 8s);
    BOOST_TEST(end.eof);
    BOOST_TEST(close_code_in(end.bytes) == 1007);
    BOOST_TEST(end.bytes.find("\"code\":\"bad_utf8\"") != std::string::npos);
    BOOST_TEST(steady.send(1));
    BOOST_TEST(wait_until([&] { return hub.host("steady")["seq"] == 1; }, 5s));
    BOOST_TEST(hub.get_json("/api/stats")["frames_refused_by_reason"]["bad_utf8"] == 1);
}

BOOST_AUTO_TEST_CASE(an_agents_close_is_answered_with_its_code_and_the_connection_ends) {
    HubProcess hub({"--quiet"});
    RawSocket s(hub.port);
    hello_over(s, "leaving");
    BOOST_REQUIRE(s.send(ws_text_frame(encode_sample(make_sample("leaving", 1, 10)))));
    BOOST_REQUIRE(wait_until([&] { return hub.host("leaving")["seq"] == 1; }, 5s));
    BOOST_REQUIRE(s.send(ws_frame(0x88, code_bytes(1001) + "going home")));
    // A sample after the close is not taken.
    BOOST_REQUIRE(s.send(ws_text_frame(encode_sample(make_sample("leaving", 2, 10)))));
    ::shutdown(s.fd(), SHUT_WR);
    auto end = read_to_end(s, 8s);
    BOOST_TEST(end.eof);
    BOOST_TEST(close_code_in(end.bytes) == 1001);
    BOOST_TEST(wait_until([&] { return hub.host("leaving")["online"] == false; }, 5s), hub.host("leaving").dump());
    BOOST_TEST(hub.host("leaving")["seq"] == 1);
}

BOOST_AUTO_TEST_CASE(an_upgrade_of_another_websocket_version_is_refused_with_426) {
    HubProcess hub({"--quiet"});
    for (auto [from, to, status] : {std::tuple{"Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8", " 426 "},
                                    std::tuple{"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                                               "Sec-WebSocket-Key: not-a-key", " 400 "}}) {
        RawSocket s(hub.port);
        std::string request = ws_upgrade_request("/ws/agent");
        request.replace(request.find(from), std::string(from).size(), to);
        BOOST_REQUIRE(s.send(request));
        auto end = read_to_end(s, 5s);
        BOOST_TEST(end.eof, to);
        BOOST_TEST(end.bytes.find(status) != std::string::npos, end.bytes);
    }
    BOOST_TEST(http_get(hub.port, "/healthz").status == 200);
}
