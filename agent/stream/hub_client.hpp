// The agent's connection to the hub (docs/protocol.md, /ws/agent): hello,
// welcome{last_seq}, then one sample frame per interval; reconnects with
// backoff and replays what the hub is missing from a ring of recent samples.
//
// Threading: every member function must be called from the executor given to
// the constructor (the io_context the agent's sampling timer runs on, with one
// thread, or a strand of it); all handlers run there too, so nothing is
// locked. Lifetime: pending handlers refer to `this`, so destroy the client
// only after that io_context has stopped running (stop() first for a clean
// close frame).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include "agent/stream/backfill_buffer.hpp"
#include "agent/stream/client_tls.hpp"
#include "agent/stream/backoff.hpp"
#include "agent/stream/hub_url.hpp"
#include "telehub/sample.hpp"

namespace telehub::agent {

struct HubClientOptions {
    HubUrl url;                   // wss:// connects with TLS and verifies the hub before the hello
    // More hubs of the same cluster (--hub URL1,URL2,...): after a failed or
    // lost connection the client moves on to the next, in turn, with its backoff.
    std::vector<HubUrl> alternates;
    std::string ca_file;          // CAs for the hub's certificate; empty: the system's store
    std::string hub_fingerprint;  // "sha256:hex": trust exactly this certificate instead of a CA
    Hello hello;                  // encoded once, sent first on every connection
    std::size_t buffer = 300;     // --buffer: samples kept for replay, 5 minutes at 1 s
    BackoffPolicy backoff;        // 0.5 s doubling to 30 s, equal jitter
    std::uint64_t backoff_seed = 0;  // 0: from std::random_device
    // A connection that was welcomed and lasted this long resets the backoff;
    // shorter ones (two agents with one host id replacing each other) keep growing it.
    std::chrono::milliseconds stable_after{5000};
    std::chrono::milliseconds connect_timeout{10000};    // TCP connect
    std::chrono::milliseconds handshake_timeout{10000};  // WebSocket upgrade and closing handshake
    std::chrono::milliseconds welcome_timeout{10000};    // hello sent -> welcome received
    // Nothing heard from the hub for this long (pings go out at half) means a dead link.
    std::chrono::milliseconds idle_timeout{20000};
    // Frames waiting to be written; past it the hub is not reading and the
    // connection is dropped (the buffer replays later). 0: buffer + 64.
    std::size_t max_queued_frames = 0;
    std::size_t max_frame_bytes = 1 << 20;  // largest hub frame accepted (commands are small)
    // Frames whose type is neither welcome nor error (commands), after the welcome.
    std::function<void(std::string_view frame)> on_command;
    // One line per event, without newline. Default: stderr.
    std::function<void(std::string_view line)> log;
};

struct HubClientStats {
    std::uint64_t submitted = 0;       // samples accepted by submit()
    std::uint64_t refused = 0;         // submit() with a seq not above the previous one
    std::uint64_t sent_live = 0;       // sample frames written as they came
    std::uint64_t sent_backfill = 0;   // sample frames written by a replay
    std::uint64_t dropped = 0;         // evicted from a full buffer before any write of them finished
    std::uint64_t connect_attempts = 0;
    std::uint64_t welcomes = 0;        // connections that reached the welcome
    std::uint64_t disconnects = 0;     // welcomed connections that ended
    std::uint64_t tls_resumed = 0;     // TLS handshakes that resumed the previous session
    std::size_t buffered = 0;          // samples in the buffer now
    std::size_t buffered_bytes = 0;    // what they take in memory, packed
    std::size_t buffered_text_bytes = 0;  // what they would take as text
    bool connected = false;            // welcomed and sending live
};

class HubClient {
public:
    // Uses ioc's executor: run that io_context on one thread.
    HubClient(boost::asio::io_context& ioc, HubClientOptions options);
    HubClient(boost::asio::any_io_executor ex, HubClientOptions options);
    ~HubClient();
    HubClient(const HubClient&) = delete;
    HubClient& operator=(const HubClient&) = delete;

    // Begins connecting; failures are retried with backoff until stop().
    void start();

    // One encoded sample (telehub::encode_sample, backfill=false) with its seq.
    // Written now if the hub has welcomed us; `replay`, the same sample as a
    // replay carries it (SampleDetail::replay), is what the buffer keeps for
    // an outage. Returns false (and logs) when seq does not increase or after stop().
    bool submit(std::uint64_t seq, std::string frame, std::string_view replay);
    // The buffer keeps `frame` itself.
    bool submit(std::uint64_t seq, std::string frame);

    // A reply or other text frame to the hub; false when not connected (the
    // frame is not kept: a command's reply is meaningless on a new connection).
    bool send_text(std::string text);

    // Sends a close frame if connected (bounded by handshake_timeout) and
    // stops reconnecting; the io_context then runs out of work for this client.
    void stop();

    HubClientStats stats() const;
    bool connected() const { return state_ == State::live; }

private:
    struct Link;  // one connection; kept alive by its own pending handlers
    using LinkPtr = std::shared_ptr<Link>;
    enum class State { idle, connecting, awaiting_welcome, live, waiting_retry, stopped };
    using Frame = std::shared_ptr<const std::string>;
    struct Outgoing {
        // Null for a replayed sample until its write starts: it is inflated
        // from the buffer then, so a replay of the whole buffer holds one
        // frame as text at a time, not all of them.
        Frame frame;
        std::uint64_t seq = 0;  // 0 for frames that are not samples
        bool backfill = false;
    };

    void connect();
    void on_connect(const LinkPtr& link, boost::system::error_code ec);
    void on_tls_handshake(const LinkPtr& link, boost::system::error_code ec);
    void websocket_handshake(const LinkPtr& link);
    void on_handshake(const LinkPtr& link, boost::system::error_code ec);
    void read(const LinkPtr& link);
    void on_read(const LinkPtr& link, boost::system::error_code ec);
    void on_frame(const LinkPtr& link, std::string_view frame);
    void on_welcome(const LinkPtr& link, std::uint64_t last_seq);
    // Keeps a submitted sample for replay; false (and logged) when refused.
    bool buffer(std::uint64_t seq, std::string_view frame);
    bool enqueue(Outgoing item);
    void write(const LinkPtr& link);
    bool inflate_front();
    void on_write(const LinkPtr& link, const Outgoing& item, boost::system::error_code ec);
    void fail(const LinkPtr& link, boost::system::error_code ec, std::string what);
    bool stale(const LinkPtr& link) const { return link != link_ || state_ == State::stopped; }
    void log(std::string_view line) const;

    boost::asio::any_io_executor ex_;
    HubClientOptions opt_;
    std::unique_ptr<ClientTls> tls_;  // set for wss://
    Frame hello_frame_;
    std::size_t max_queue_;
    BackfillBuffer buffer_;
    Backoff backoff_;
    boost::asio::steady_timer timer_;  // the welcome deadline, then the retry delay
    LinkPtr link_;
    State state_ = State::idle;
    std::deque<Outgoing> queue_;  // front is the write in flight when writing_
    bool writing_ = false;
    std::string hub_error_;  // the last error frame on this link, for the close line
    std::chrono::steady_clock::time_point welcomed_at_;
    std::uint64_t sent_high_ = 0;  // highest seq the hub has or that we finished writing
    std::uint64_t drops_since_welcome_ = 0;
    HubClientStats stats_;
};

}  // namespace telehub::agent
