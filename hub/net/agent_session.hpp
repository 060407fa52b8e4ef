// One agent's WebSocket on /ws/agent: hello, then samples. The WebSocket
// itself is hub/ws/ws_server_stream.hpp (one read per frame); messages are
// decoded only by telehub::FrameDecoder (one per io thread). Bad input gets an
// error frame and a close code (1003 binary, 1008 invalid, 1009 too big;
// 1002 for a broken frame) and is logged with the peer address; the hub and
// other sessions carry on.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hub/alerts/alerts.hpp"
#include "hub/fleet/fleet.hpp"
#include "hub/state/state.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "hub/net/streams.hpp"
#include "hub/ws/ws.hpp"

#include "hub/auth/auth.hpp"
#include "hub/control/control.hpp"
#include "hub/log/log.hpp"
#include "telehub/codec.hpp"

namespace telehub::hub {

struct HubContext;

// Milliseconds of the steady clock: agents' last-frame times and the idle sweep.
std::int64_t steady_clock_ms();

template <class Stream>
class AgentSession : public AgentLink, public std::enable_shared_from_this<AgentSession<Stream>> {
public:
    // `socket` is already bound to its own strand (or the one-thread io_context).
    AgentSession(Stream&& stream, HubContext& ctx, std::string peer);
    ~AgentSession() override;

    void run(boost::beast::http::request<boost::beast::http::string_body> upgrade);
    void replace() override;
    void shutdown() override;
    void send_command(std::string frame) override;
    void close_if_idle(std::int64_t now_ms, std::int64_t limit_ms) override;
    void recheck_credential() override;

private:
    friend class WsServerStream<Stream, AgentSession>;
    void on_ws_open();
    bool ws_accepts_size(std::uint64_t size);
    void on_ws_message(std::string_view message, bool binary);
    void on_ws_bytes_read(std::size_t n);
    void on_ws_end(std::string reason);

    void handle_frame(std::string_view frame);
    void handle_hello(const telehub::Hello& h);
    void handle_sample(const telehub::Sample& s, std::shared_ptr<const std::string> raw);
    void handle_reply(telehub::CommandReply&& reply);
    void refuse(RefuseReason reason, std::uint16_t close_code, const std::string& message);
    void send(std::string text);
    void close(std::uint16_t code, std::string reason);

    WsServerStream<Stream, AgentSession> ws_;
    HubContext& ctx_;
    std::string peer_;
    std::uint64_t conn_id_;
    bool have_hello_ = false;
    std::string host_id_;
    std::string claimed_host_id_;  // a refused hello's host id, cut short, for the log: which machine to go and fix
    std::string hostname_;                    // from the hello, for alert rules scoped by hostname
    std::vector<AlertEvent> alert_events_;    // scratch, reused per sample
    FleetHandle fleet_handle_;               // where this host sits in ctx_.fleet
    HostRegistry::Handle registry_handle_;   // ... in ctx_.registry
    AlertEvaluator::HostHandle alert_handle_;  // ... in ctx_.alerts
    std::optional<Principal> credential_;  // the agent credential of the hello; none when the hub needs no token
    std::string end_reason_;  // why the session ended, for the disconnect log line
    std::atomic<std::int64_t> last_frame_ms_;  // steady clock; read by the idle sweep on another thread
};

}  // namespace telehub::hub
