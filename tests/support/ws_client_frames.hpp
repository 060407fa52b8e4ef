// What a WebSocket client sends, built by hand for the unit tests of the
// hub's own frame reader (hub/ws): frames masked with a real key, so that a
// reader that forgot to unmask reads garbage (raw_socket's ws_frame masks
// with zero, for tests that only need the hub to take a frame), and the
// upgrade request an agent makes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "hub/ws/ws_upgrade.hpp"

namespace telehub::test {

// One frame: `first_byte` is FIN, RSV and opcode; the length in its shortest form.
std::string masked_client_frame(std::uint8_t first_byte, std::string_view payload, std::array<std::uint8_t, 4> mask);

// A GET /ws/agent upgrade that ws::check_upgrade accepts (RFC 6455's sample key).
hub::ws::UpgradeRequest agent_upgrade_request();

}  // namespace telehub::test
