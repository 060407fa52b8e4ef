// The WebSocket frame format (RFC 6455, section 5) as the hub's agent
// sessions read and write it, without Beast's stream: a session reads into
// one buffer as much as the socket holds, so a whole agent frame usually
// arrives in one read, and parses frames in place. Only what a server needs:
// client frames must be masked, no extension is negotiated (RSV bits must be
// zero), and the hub's own frames are unmasked. No I/O here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace telehub::hub::ws {

enum class Opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

inline bool is_control(Opcode op) { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

// Close codes the hub sends (RFC 6455, 7.4.1).
namespace close_code {
constexpr std::uint16_t normal = 1000;
constexpr std::uint16_t going_away = 1001;
constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t unknown_data = 1003;
constexpr std::uint16_t bad_payload = 1007;
constexpr std::uint16_t policy_error = 1008;
constexpr std::uint16_t too_big = 1009;
}  // namespace close_code

struct FrameHeader {
    bool fin = false;
    Opcode opcode = Opcode::text;
    std::uint64_t payload_size = 0;
    std::array<std::uint8_t, 4> mask{};
    std::size_t header_size = 0;  // bytes before the payload: 2 to 14
};

enum class HeaderStatus { complete, need_more, invalid };

struct HeaderResult {
    HeaderStatus status = HeaderStatus::need_more;
    FrameHeader header;
    const char* error = nullptr;  // what was wrong, when invalid (a close reason: short, fixed)
};

// Parses the header of a frame from a client at the start of `bytes`.
HeaderResult parse_client_header(std::string_view bytes);

// Unmasks `size` bytes of a payload in place.
void unmask(char* data, std::size_t size, const std::array<std::uint8_t, 4>& mask);

// The header of an unmasked frame from the hub (fin set): 2 to 10 bytes in `out`.
std::size_t server_header(Opcode opcode, std::uint64_t payload_size, std::array<char, 10>& out);

// A close frame's payload: the code (network order), then the reason, cut
// to fit the 125 bytes of a control frame.
std::string close_payload(std::uint16_t code, std::string_view reason);

// The code of a received close frame's payload, or 1005 (no code) when it is empty.
struct ClosePayload {
    bool valid = true;
    std::uint16_t code = 1005;
};
ClosePayload parse_close_payload(std::string_view payload);

}  // namespace telehub::hub::ws
