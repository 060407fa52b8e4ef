// A small synchronous WebSocket client for tests: it plays a fake agent or a
// dashboard against the hub on 127.0.0.1. Every wait has a deadline; a read
// that times out stays pending and is picked up by the next read.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telehub::test {

class WsClient {
public:
    // Connects to 127.0.0.1:`port` (from `source_address` when given, e.g.
    // 127.0.0.2) and upgrades on `target`; throws std::runtime_error if that
    // fails within `timeout`.
    WsClient(std::uint16_t port, std::string target, std::chrono::milliseconds timeout = std::chrono::seconds(5),
             const std::string& source_address = {});
    ~WsClient();
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    // Sends one frame; false if the connection is gone or the send did not
    // finish within `timeout`.
    bool send_text(std::string_view text, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    bool send_binary(std::string_view data, std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // The next message; nullopt on timeout or when the connection closed
    // (then closed() is true and close_code()/close_reason() say how).
    std::optional<std::string> read(std::chrono::milliseconds timeout);

    // Reads (keeping the messages) until the hub closes the connection;
    // returns the close code, or nullopt if still open at the deadline.
    std::optional<std::uint16_t> wait_close(std::chrono::milliseconds timeout, std::vector<std::string>* messages = nullptr);

    bool closed() const;
    std::uint16_t close_code() const;
    std::string close_reason() const;

    // Sends a close frame and waits for the hub's.
    void close(std::chrono::milliseconds timeout = std::chrono::seconds(2));
    // Drops the TCP connection without a close frame.
    void drop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace telehub::test
