// One simulated agent: connects to /ws/agent (ws://, or wss:// with --tls),
// sends its hello, answers to nothing but reads what the hub sends (welcome,
// errors, close), and sends a sample whenever the fleet's pacer says it is
// due. Lives on the fleet's single io thread, so it needs no strand.
//
// With FleetShared::reconnect (--restart-after) it behaves like the real
// agent (agent/stream/hub_client.cpp) when its connection is lost: it goes on
// making a sample at each tick, reconnects after a jittered exponential
// backoff (agent/stream/backoff.hpp: 0.5 s doubling to 30 s, equal jitter,
// reset after a connection that lasted 5 s), resumes its TLS session, and
// after the welcome replays every buffered sample above the hub's last_seq,
// marked "backfill". Its buffer is a seq range, not frames: a replayed frame
// is the current sample text re-stamped with the old seq, so 10,000 agents
// keep 300 samples each without 10 GB of frames. Such an agent also answers
// every command the hub relays to it with {"ok":true} and a small result
// naming the op, so the hub's command path can be driven at fleet scale.
// drop() closes its connection on purpose (--reconnect-every); it then
// reconnects and resumes its seq like after any lost connection.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/stream/backoff.hpp"
#include "loadgen/fleet_counters.hpp"
#include "loadgen/sample_factory.hpp"
#include "loadgen/sample_frame.hpp"

typedef struct ssl_session_st SSL_SESSION;

namespace telehub::loadgen {

// What every agent of a fleet shares; outlives the agents.
struct FleetShared {
    boost::asio::ip::tcp::endpoint hub;
    const SampleFactory* factory = nullptr;
    SendTimes* send_times = nullptr;
    std::uint32_t refresh = 10;  // full re-encode every this many samples
    std::int64_t instance_ms = 0;
    std::uint32_t interval_ms = 1000;
    boost::asio::ssl::context* tls = nullptr;  // set: agents connect with wss://
    bool reconnect = false;      // reconnect, buffer and replay like the real agent
    std::size_t buffer = 300;    // samples kept for replay (the agent's --buffer default)
    std::atomic<bool> paused{false};      // the pacer makes no samples (end of a restart run)
    std::atomic<std::uint32_t> epoch{0};  // bumped by the run when the hub is replaced
    FleetCounters counters;
    ErrorTally errors;
};

// One agent's state as the run reads it at the end of a restart scenario.
struct AgentState {
    std::size_t index = 0;
    std::uint64_t newest = 0;       // the last seq made
    std::uint64_t unsent = 0;       // made but not written yet
    bool live = false;              // welcomed and connected now
    bool welcomed_in_epoch = false; // welcomed since the epoch was bumped
    std::uint64_t epoch_first = 0;  // the first seq sent in the epoch (after the hub's last_seq 0)
    std::uint64_t epoch_last_seq = 0;  // the last_seq of that first welcome in the epoch
};

class AgentConnection : public std::enable_shared_from_this<AgentConnection> {
public:
    AgentConnection(boost::asio::io_context& ioc, FleetShared& shared, std::size_t index);
    ~AgentConnection();

    // `settled` runs once, when the first connection is ready or has failed.
    void start(std::function<void()> settled);
    // The pacer's tick. Plain runs: stamps and sends the next sample unless
    // the previous one is still being written (then counts it as blocked).
    // Reconnecting agents: makes the next sample, and queues it if it cannot go now.
    void send_sample();
    void close();
    // Closes a live connection with 1000 to reconnect and resume; false when
    // the agent is not live (or not a reconnecting one).
    bool drop();
    AgentState state() const;

private:
    struct Link;
    using LinkPtr = std::shared_ptr<Link>;

    void connect();
    void on_connect(const LinkPtr& link, boost::system::error_code ec);
    void on_tls_handshake(const LinkPtr& link, boost::system::error_code ec);
    void websocket_handshake(const LinkPtr& link);
    void on_handshake(const LinkPtr& link, boost::system::error_code ec);
    void do_read(const LinkPtr& link);
    void on_read(const LinkPtr& link, boost::system::error_code ec, std::size_t n);
    void on_welcome(const LinkPtr& link, std::uint64_t last_seq);
    void send_plain_tick();
    void pump();  // reconnecting agents: writes a queued reply, else the next queued seq
    void answer(std::string_view command);
    void lost(const LinkPtr& link, boost::system::error_code ec, const char* what);
    void fail_connect(boost::system::error_code ec, const char* what);
    void settle();
    void remember_session(const LinkPtr& link);

    boost::asio::io_context& ioc_;
    FleetShared& shared_;
    std::size_t index_;
    std::function<void()> settled_;
    LinkPtr link_;
    std::string hello_;
    SampleFrame frame_;
    std::string out_;  // a replayed frame or a reply being written
    std::deque<std::string> replies_;  // replies to commands, sent before the next sample
    std::uint64_t seq_ = 0;
    bool open_ = false;      // handshake done, not closed
    bool welcomed_ = false;  // the hub accepted the hello: samples may flow
    bool ever_welcomed_ = false;
    bool failed_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool dropping_ = false;  // drop() sent a close on the current link
    SSL_SESSION* session_ = nullptr;  // the last TLS session, offered on reconnect
    // Reconnecting agents only.
    std::unique_ptr<boost::asio::steady_timer> retry_timer_;
    std::optional<agent::Backoff> backoff_;
    std::chrono::steady_clock::time_point welcomed_at_;
    std::uint64_t next_send_ = 1;    // the next seq to write on this connection
    std::uint64_t replay_upto_ = 0;  // seqs up to this one go out marked backfill
    std::uint64_t written_high_ = 0; // the highest seq whose write completed
    std::uint32_t welcomed_epoch_ = 0;
    std::uint64_t epoch_first_ = 0, epoch_last_seq_ = 0;
};

}  // namespace telehub::loadgen
