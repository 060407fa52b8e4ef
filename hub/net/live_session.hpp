// One dashboard's WebSocket on /ws/live: a snapshot on connect and after each
// subscribe (built on the hub's background thread), the shared summaries set
// once a second, and the raw sample frames of the hosts it follows in detail.
// Back-pressure per LiveQueue: one write in flight; a client whose queue stays
// over its limit for --live-stall-ms (or reaches twice the byte limit) is
// closed and counted.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "hub/net/streams.hpp"

#include "hub/auth/auth.hpp"
#include "hub/live/live.hpp"

namespace telehub::hub {

struct HubContext;

template <class Stream>
class LiveSession : public LiveSink, public std::enable_shared_from_this<LiveSession<Stream>> {
public:
    // `who`: the viewer or admin credential that opened it; none when reading is open to all.
    LiveSession(Stream&& stream, HubContext& ctx, std::string peer, std::optional<Principal> who);
    ~LiveSession() override;

    void run(boost::beast::http::request<boost::beast::http::string_body> upgrade);
    void deliver(LiveMessage m) override;
    void shutdown() override;
    void recheck_credential() override;

private:
    void on_accept(boost::beast::error_code ec);
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t n);
    void handle_message(std::string_view text);
    void send_error(std::string_view code, const std::string& message);
    void send_snapshot(const HostFilter& filter);
    void enqueue(LiveMessage m);
    void write_next();
    void close(std::uint16_t code, std::string reason);
    void fail(boost::beast::error_code ec, const char* what);

    boost::beast::websocket::stream<Stream> ws_;
    HubContext& ctx_;
    std::string peer_;
    std::optional<Principal> who_;
    std::uint64_t id_ = 0;
    boost::beast::flat_buffer buffer_;
    LiveQueue queue_;
    std::atomic<std::uint64_t> snapshot_requests_{0};  // a snapshot job older than the last request is skipped
    bool awaiting_snapshot_ = true;                    // no summaries before the first snapshot
    bool accepted_ = false;
    bool writing_ = false;
    bool close_requested_ = false;
    bool closing_ = false;
    std::optional<std::chrono::steady_clock::time_point> over_since_;
};

}  // namespace telehub::hub
