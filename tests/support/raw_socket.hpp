// A bare TCP connection to 127.0.0.1 for tests that must misbehave below
// what ws_client and http_client allow: trickle bytes, stop mid-frame, hold
// a socket without a word. The descriptor is closed with the object.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace telehub::test {

class RawSocket {
public:
    // Connects (blocking) to 127.0.0.1:`port`; throws std::runtime_error on failure.
    explicit RawSocket(std::uint16_t port);
    ~RawSocket();
    RawSocket(RawSocket&& other) noexcept;
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;

    int fd() const { return fd_; }
    bool send(std::string_view bytes);  // false once the peer has gone
    // Reads what arrives within `timeout` and appends it to `into`; false
    // when the peer closed (EOF or reset).
    bool read_some(std::string& into, std::chrono::milliseconds timeout);
    // True when the peer closed within `timeout` (what arrives is dropped).
    bool wait_closed(std::chrono::milliseconds timeout);

private:
    int fd_ = -1;
};

// The client half of a WebSocket upgrade on `target`, as sent on the wire.
std::string ws_upgrade_request(const std::string& target);
// One masked text frame (mask key zero, so the payload bytes are as given).
std::string ws_text_frame(std::string_view payload);
// Any frame: `first_byte` is FIN, RSV and the opcode (0x81 a whole text
// frame, 0x01 a first fragment, 0x00 a continuation, 0x89 a ping, 0x88 a
// close); masked with key zero unless `masked` is false.
std::string ws_frame(std::uint8_t first_byte, std::string_view payload, bool masked = true);

}  // namespace telehub::test
