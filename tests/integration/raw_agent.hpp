// A fake agent below the WebSocket client: a RawSocket upgraded to /ws/agent
// by hand, for tests that send frames no library would (trickled, cut short,
// unmasked, fragmented). Include after <boost/test/unit_test.hpp>.
#pragma once

#include <string>

#include "hub_harness.hpp"
#include "tests/support/raw_socket.hpp"

namespace telehub::test {

// Upgrades `s` to /ws/agent and says hello as `id`; returns once welcomed.
inline void hello_over(RawSocket& s, const std::string& id) {
    BOOST_REQUIRE(s.send(ws_upgrade_request("/ws/agent")));
    std::string in;
    BOOST_REQUIRE(wait_until([&] { return s.read_some(in, 50ms) && in.find("\r\n\r\n") != std::string::npos; }, 5s));
    BOOST_REQUIRE(in.find(" 101 ") != std::string::npos);
    BOOST_REQUIRE(s.send(ws_text_frame(encode_hello(make_hello(id, 7)))));
    BOOST_REQUIRE(wait_until([&] { return s.read_some(in, 50ms) && in.find("welcome") != std::string::npos; }, 5s));
}

}  // namespace telehub::test
