#define BOOST_TEST_MODULE hub_net_ws_frame
#include <boost/test/unit_test.hpp>

#include <string>

#include "hub/ws/ws_frame.hpp"
#include "hub/ws/ws_upgrade.hpp"
#include "tests/support/ws_client_frames.hpp"

using namespace telehub::hub;
using telehub::test::agent_upgrade_request;
using telehub::test::masked_client_frame;
namespace http = boost::beast::http;

BOOST_AUTO_TEST_CASE(a_masked_frame_of_each_length_form_parses_and_unmasks_to_its_payload) {
    const std::array<std::uint8_t, 4> mask{0x37, 0xfa, 0x21, 0x3d};
    for (std::size_t n : {0, 1, 7, 8, 9, 125, 126, 127, 65535, 65536, 70001}) {
        std::string payload(n, '\0');
        for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + i % 26);
        auto frame = masked_client_frame(0x81, payload, mask);
        auto r = ws::parse_client_header(frame);
        BOOST_TEST_REQUIRE((r.status == ws::HeaderStatus::complete), n);
        BOOST_TEST(r.header.fin);
        BOOST_TEST((r.header.opcode == ws::Opcode::text));
        BOOST_TEST(r.header.payload_size == n);
        BOOST_TEST(r.header.header_size + n == frame.size());
        ws::unmask(frame.data() + r.header.header_size, n, r.header.mask);
        BOOST_TEST((frame.substr(r.header.header_size) == payload), n);
        // Every prefix shorter than the header asks for more.
        for (std::size_t cut = 0; cut < r.header.header_size; ++cut)
            BOOST_TEST((ws::parse_client_header(std::string_view(frame).substr(0, cut)).status ==
                        ws::HeaderStatus::need_more));
    }
}

BOOST_AUTO_TEST_CASE(frames_a_server_must_refuse_are_invalid_with_a_reason) {
    const std::array<std::uint8_t, 4> mask{1, 2, 3, 4};
    auto invalid = [](const std::string& f) {
        auto r = ws::parse_client_header(f);
        return r.status == ws::HeaderStatus::invalid && r.error != nullptr;
    };
    BOOST_TEST(invalid(masked_client_frame(0xc1, "x", mask)));                  // RSV1: no compression was negotiated
    BOOST_TEST(invalid(masked_client_frame(0x83, "x", mask)));                  // opcode 3 is reserved
    BOOST_TEST(invalid(masked_client_frame(0x8b, "x", mask)));                  // opcode 11 is reserved
    BOOST_TEST(invalid(masked_client_frame(0x09, "x", mask)));                  // a fragmented ping
    BOOST_TEST(invalid(masked_client_frame(0x89, std::string(126, 'p'), mask)));  // a control frame over 125 bytes
    std::string unmasked = masked_client_frame(0x81, "hello", mask);
    unmasked[1] = static_cast<char>(unmasked[1] & 0x7f);
    BOOST_TEST(invalid(unmasked));
    // Lengths not in their shortest form.
    std::string long16 = masked_client_frame(0x81, std::string(200, 'a'), mask);
    long16[2] = 0;
    long16[3] = 100;
    BOOST_TEST(invalid(long16));
    std::string long64 = masked_client_frame(0x81, std::string(70000, 'a'), mask);
    for (int i = 2; i < 10; ++i) long64[i] = 0;
    long64[9] = 100;
    BOOST_TEST(invalid(long64));
    // A valid control frame and continuation pass.
    BOOST_TEST((ws::parse_client_header(masked_client_frame(0x89, "ping", mask)).status == ws::HeaderStatus::complete));
    BOOST_TEST((ws::parse_client_header(masked_client_frame(0x00, "more", mask)).status == ws::HeaderStatus::complete));
}

BOOST_AUTO_TEST_CASE(the_hubs_frame_headers_carry_the_length_in_its_shortest_form) {
    std::array<char, 10> h{};
    BOOST_TEST(ws::server_header(ws::Opcode::text, 125, h) == 2u);
    BOOST_TEST(static_cast<unsigned char>(h[0]) == 0x81u);
    BOOST_TEST(static_cast<unsigned char>(h[1]) == 125u);
    BOOST_TEST(ws::server_header(ws::Opcode::pong, 126, h) == 4u);
    BOOST_TEST(static_cast<unsigned char>(h[0]) == 0x8au);
    BOOST_TEST(static_cast<unsigned char>(h[1]) == 126u);
    BOOST_TEST(((static_cast<unsigned char>(h[2]) << 8) | static_cast<unsigned char>(h[3])) == 126);
    BOOST_TEST(ws::server_header(ws::Opcode::text, 70000, h) == 10u);
    std::uint64_t n = 0;
    for (int i = 2; i < 10; ++i) n = (n << 8) | static_cast<unsigned char>(h[i]);
    BOOST_TEST(n == 70000u);
}

BOOST_AUTO_TEST_CASE(close_payloads_round_trip_and_codes_never_sent_are_refused) {
    auto p = ws::close_payload(4001, "credential revoked");
    auto c = ws::parse_close_payload(p);
    BOOST_TEST(c.valid);
    BOOST_TEST(c.code == 4001);
    BOOST_TEST(p.substr(2) == "credential revoked");
    BOOST_TEST(ws::close_payload(1000, std::string(300, 'r')).size() == 125u);
    BOOST_TEST(ws::parse_close_payload("").code == 1005);
    BOOST_TEST(ws::parse_close_payload("").valid);
    BOOST_TEST(!ws::parse_close_payload("x").valid);
    for (std::uint16_t bad : {999, 1004, 1005, 1006, 1015, 2999, 5000})
        BOOST_TEST(!ws::parse_close_payload(ws::close_payload(bad, "")).valid, bad);
}

BOOST_AUTO_TEST_CASE(the_accept_key_is_rfc_6455s_example) {
    BOOST_TEST(ws::accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    auto res = ws::switching_protocols(agent_upgrade_request());
    BOOST_TEST(res.result_int() == 101);
    BOOST_TEST(res[http::field::sec_websocket_accept] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

BOOST_AUTO_TEST_CASE(upgrade_requests_are_checked_as_beast_checks_them) {
    BOOST_TEST(!ws::check_upgrade(agent_upgrade_request()));
    auto old_version = agent_upgrade_request();
    old_version.set(http::field::sec_websocket_version, "8");
    auto r = ws::check_upgrade(old_version);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->result_int() == 426);
    BOOST_TEST((*r)[http::field::sec_websocket_version] == "13");
    for (const char* key : {"", "short==", "dGhlIHNhbXBsZSBub25jZQ=x", "dGhlIHNhbXBsZSBub25jZ!=="}) {
        auto bad_key = agent_upgrade_request();
        bad_key.set(http::field::sec_websocket_key, key);
        auto k = ws::check_upgrade(bad_key);
        BOOST_TEST_REQUIRE(k.has_value(), key);
        BOOST_TEST(k->result_int() == 400);
        BOOST_TEST(k->body().find("Sec-WebSocket-Key") != std::string::npos);
    }
    auto http10 = agent_upgrade_request();
    http10.version(10);
    BOOST_TEST(ws::check_upgrade(http10).has_value());
    auto post = agent_upgrade_request();
    post.method(http::verb::post);
    BOOST_TEST(ws::check_upgrade(post).has_value());
}
