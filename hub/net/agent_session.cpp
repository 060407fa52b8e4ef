#include "hub/net/agent_session.hpp"

#include <algorithm>
#include <chrono>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "hub/hub_context.hpp"
#include "hub/net/raw_frame_pool.hpp"
#include "telehub/json_text.hpp"

namespace telehub::hub {
namespace beast = boost::beast;
namespace net = boost::asio;
namespace close_code = ws::close_code;

namespace {

// One decoder and one decoded frame per io thread, not per session: the
// parser's buffers (tens of KB for a 4 KB sample) then stay hot in cache and
// are not multiplied by the number of connected hosts. A frame is decoded and
// handled within one handler, so nothing outlives the call on that thread.
struct ThreadDecoder {
    FrameDecoder decoder;
    AgentFrame frame;
};

ThreadDecoder& thread_decoder() {
    thread_local ThreadDecoder d;
    return d;
}

// Close codes of our own (4000-4999 are the application's; 4000 is a takeover).
constexpr std::uint16_t close_revoked = 4001;           // the credential was removed by a reload
constexpr std::uint16_t close_host_not_allowed = 4003;  // the credential is bound to other host ids
constexpr std::uint16_t close_host_limit = 4029;        // --max-hosts reached: no room for a new host id

std::string close_reason_text(const std::string& s) {
    // A close reason is at most 123 bytes.
    return s.size() <= 120 ? s : s.substr(0, 117) + "...";
}

}  // namespace

template <class Stream>
AgentSession<Stream>::AgentSession(Stream&& stream, HubContext& ctx, std::string peer)
    : ws_(std::move(stream), *this),
      ctx_(ctx),
      peer_(std::move(peer)),
      conn_id_(ctx.next_conn_id.fetch_add(1)),
      last_frame_ms_(steady_clock_ms()) {
    ctx_.stats.agents_connected.fetch_add(1, std::memory_order_relaxed);
}

template <class Stream>
AgentSession<Stream>::~AgentSession() {
    ctx_.stats.agents_connected.fetch_sub(1, std::memory_order_relaxed);
    ctx_.agents.remove(conn_id_);
    ctx_.relay.on_disconnect(conn_id_);
    if (have_hello_) {
        ctx_.registry.on_disconnect(host_id_, conn_id_);
        ctx_.log.event("agent disconnected: host '" + host_id_ + "' from " + peer_ +
                       (end_reason_.empty() ? "" : " (" + end_reason_ + ")"));
    }
}

template <class Stream>
void AgentSession<Stream>::run(beast::http::request<beast::http::string_body> upgrade) {
    ctx_.agents.add(conn_id_, this->weak_from_this());
    // No idle timer per connection: the hub's once-a-second sweep
    // (close_if_idle) watches every agent at once.
    ws_.accept(std::move(upgrade));
}

template <class Stream>
void AgentSession<Stream>::on_ws_open() {}

template <class Stream>
void AgentSession<Stream>::on_ws_bytes_read(std::size_t n) {
    ctx_.stats.bytes_received.fetch_add(n, std::memory_order_relaxed);
}

template <class Stream>
bool AgentSession<Stream>::ws_accepts_size(std::uint64_t size) {
    // A reply may be as large as --max-reply, but only while the hub awaits
    // one from this connection: the relay is asked only past --max-frame.
    // The size is the frame header's, so a frame too big is refused before
    // any of it is buffered.
    if (size <= ctx_.config.max_frame) return true;
    if (!ctx_.relay.awaits_reply(conn_id_)) {
        refuse(RefuseReason::frame_too_big, close_code::too_big,
               "frame over the " + std::to_string(ctx_.config.max_frame) + "-byte limit (--max-frame)");
        return false;
    }
    if (size <= ctx_.config.max_reply) return true;
    refuse(RefuseReason::frame_too_big, close_code::too_big,
           "reply over the " + std::to_string(ctx_.config.max_reply) + "-byte limit (--max-reply)");
    return false;
}

template <class Stream>
void AgentSession<Stream>::on_ws_message(std::string_view message, bool binary) {
    // Only a whole message counts as life: a peer trickling one byte at a
    // time would otherwise hold the connection forever. So the idle sweep is
    // also the deadline for a message to arrive whole.
    last_frame_ms_.store(steady_clock_ms(), std::memory_order_relaxed);
    if (binary)
        return refuse(RefuseReason::binary_frame, close_code::unknown_data,
                      "binary frames are not accepted; send JSON text frames");
    handle_frame(message);
}

template <class Stream>
void AgentSession<Stream>::on_ws_end(std::string reason) {
    if (end_reason_.empty()) end_reason_ = std::move(reason);
}

template <class Stream>
void AgentSession<Stream>::handle_frame(std::string_view frame) {
    auto& td = thread_decoder();
    auto& pool = RawFramePool::of_this_thread();
    // This host's state was last touched a second ago: its cache misses
    // overlap with the copy and the decode below. The records first, then,
    // after the copy, what they point to.
    HostRegistry::prefetch_record(registry_handle_);
    FleetProcesses::prefetch_record(fleet_handle_);
    AlertEvaluator::prefetch_record(alert_handle_);
    // Copied once, into the buffer a sample is kept in, and parsed there.
    auto raw = pool.take(frame);
    if (have_hello_) {
        ctx_.registry.prefetch_state(registry_handle_);
        ctx_.fleet.prefetch_state(fleet_handle_);
        ctx_.alerts.prefetch_state(alert_handle_);
    }
    if (auto err = td.decoder.decode_in_place(*raw, td.frame)) {
        pool.give_back(std::move(raw));
        const auto reason = refuse_reason_from_code(err->code);
        return refuse(reason, reason == RefuseReason::bad_utf8 ? close_code::bad_payload : close_code::policy_error,
                      err->message);
    }
    switch (td.frame.kind) {
    case FrameKind::sample: return handle_sample(td.frame.sample, std::move(raw));
    case FrameKind::hello: handle_hello(td.frame.hello); break;
    case FrameKind::reply: handle_reply(std::move(td.frame.reply)); break;
    }
    pool.give_back(std::move(raw));
}

template <class Stream>
void AgentSession<Stream>::handle_hello(const Hello& h) {
    if (have_hello_)
        return refuse(RefuseReason::repeated_hello, close_code::policy_error,
                      "a second hello on one connection");
    // Unauthenticated text: at most this much of it reaches the log.
    constexpr std::size_t claimed_id_shown = 64;
    claimed_host_id_ = h.host_id.size() <= claimed_id_shown ? h.host_id : h.host_id.substr(0, claimed_id_shown) + "...";
    if (h.protocol != protocol_version)
        return refuse(RefuseReason::bad_protocol, close_code::policy_error,
                      "protocol " + std::to_string(h.protocol) + " is not supported; this hub speaks " +
                          std::to_string(protocol_version));
    if (ctx_.tokens.requires_agent_token()) {
        credential_ = ctx_.tokens.find(h.token, true);
        if (!credential_) {
            ctx_.stats.auth_failures.fetch_add(1, std::memory_order_relaxed);
            return refuse(RefuseReason::bad_token, close_code::policy_error,
                          h.token.empty() ? "this hub requires an agent token: start the agent with --token-file"
                                          : "the agent token is not valid for this hub");
        }
        // A stolen credential of one machine must not speak for the others.
        if (!credential_->may_speak_for(h.host_id)) {
            ctx_.stats.auth_failures.fetch_add(1, std::memory_order_relaxed);
            return refuse(RefuseReason::host_not_allowed, close_host_not_allowed,
                          "credential '" + credential_->name + "' may not speak for host '" + h.host_id + "'");
        }
    }
    auto hello = ctx_.registry.on_hello(h, conn_id_);
    ctx_.forgotten(hello.evicted, "to make room under --max-hosts");
    ctx_.save(std::move(hello.batch));
    if (hello.refused) {
        // A flood of fresh ids is refused with one log line a second, not one each.
        const auto refused = ctx_.stats.refused[static_cast<std::size_t>(RefuseReason::host_limit)].load() + 1;
        const auto now = steady_clock_ms();
        auto last = ctx_.last_host_limit_log_ms.load(std::memory_order_relaxed);
        const bool log = now - last >= 1000 && ctx_.last_host_limit_log_ms.compare_exchange_strong(last, now);
        const std::string message = "this hub holds its limit of " + std::to_string(ctx_.config.max_hosts) +
                                    " hosts (--max-hosts) and has none idle to forget; new host ids are refused";
        ctx_.stats.refuse(RefuseReason::host_limit);
        if (log)
            ctx_.log.event("refused new host id '" + h.host_id + "' from " + peer_ + ": " + message + " (" +
                           std::to_string(refused) + " refused so far); closing with " + std::to_string(close_host_limit));
        end_reason_ = "host_limit";
        send(encode_error(refuse_reason_name(RefuseReason::host_limit), message));
        return close(close_host_limit, "host limit reached (--max-hosts)");
    }
    have_hello_ = true;
    host_id_ = h.host_id;
    const auto last_seq = hello.last_seq;
    if (auto previous = ctx_.agents.claim(host_id_, conn_id_))
        ctx_.replace_agent(*previous, host_id_, "reconnected from " + peer_ + "; closing the older connection");
    // Across the cluster too: a connection of this host id on another hub is older than this one.
    if (ctx_.cluster) ctx_.cluster->claimed(host_id_);
    hostname_ = h.hostname;
    ctx_.log.event("agent connected: host '" + host_id_ + "' (" + h.hostname + ") from " + peer_ +
                   (credential_ ? " as '" + credential_->name + "'" : std::string()) + ", instance " +
                   std::to_string(h.instance) + ", last_seq " + std::to_string(last_seq));
    send(json_text({{"type", "welcome"}, {"protocol", protocol_version}, {"last_seq", last_seq}}));
}

template <class Stream>
void AgentSession<Stream>::handle_reply(CommandReply&& reply) {
    if (!have_hello_)
        return refuse(RefuseReason::no_hello, close_code::policy_error, "a reply before the hello");
    auto id = reply.id;
    if (!ctx_.relay.on_reply(conn_id_, std::move(reply)))
        ctx_.log.event("dropped a reply from host '" + host_id_ + "' for command '" + id +
                       "': not waiting for it on this connection (answered 504 already, or never sent)");
}

std::int64_t steady_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

template <class Stream>
void AgentSession<Stream>::close_if_idle(std::int64_t now_ms, std::int64_t limit_ms) {
    if (now_ms - last_frame_ms_.load(std::memory_order_relaxed) < limit_ms) return;
    net::post(ws_.get_executor(), [self = this->shared_from_this(), limit_ms] {
        if (!self->ws_.open()) return;
        self->end_reason_ = "idle: no frame for " + std::to_string(limit_ms / 1000) + " s";
        self->close(close_code::going_away, self->end_reason_ + " (--agent-idle-timeout)");
    });
}

template <class Stream>
void AgentSession<Stream>::recheck_credential() {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
        if (!self->ws_.open() || !self->credential_) return;
        auto now = self->ctx_.tokens.current(*self->credential_);
        // Still there and still allowed this host id (a reload may have rebound it): nothing to do.
        if (now && now->may_speak_for(self->host_id_)) return;
        std::string why = now ? "may no longer speak for host '" + self->host_id_ + "'" : "was revoked";
        self->end_reason_ = "credential '" + self->credential_->name + "' " + why;
        self->ctx_.log.event("closing host '" + self->host_id_ + "' from " + self->peer_ + ": its credential '" +
                             self->credential_->name + "' " + why);
        self->close(close_revoked, "credential '" + self->credential_->name + "' " + why);
    });
}

template <class Stream>
void AgentSession<Stream>::send_command(std::string frame) {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), frame = std::move(frame)]() mutable {
        self->send(std::move(frame));
    });
}

template <class Stream>
void AgentSession<Stream>::handle_sample(const Sample& s, std::shared_ptr<const std::string> raw) {
    if (!have_hello_)
        return refuse(RefuseReason::no_hello, close_code::policy_error, "a sample before the hello");
    if (s.host_id != host_id_)
        return refuse(RefuseReason::host_mismatch, close_code::policy_error,
                      "sample host_id '" + s.host_id + "' differs from the hello's '" + host_id_ + "'");
    ctx_.stats.samples_received.fetch_add(1, std::memory_order_relaxed);
    auto& pool = RawFramePool::of_this_thread();
    auto outcome = ctx_.registry.on_sample(s, raw, conn_id_, &registry_handle_);
    pool.give_back(std::move(outcome.replaced_raw));
    ctx_.save(std::move(outcome.batch));
    if (!outcome.accepted) {
        ctx_.stats.duplicates.fetch_add(1, std::memory_order_relaxed);
        return pool.give_back(std::move(raw));  // not kept: a duplicate
    }
    if (outcome.gaps_added) ctx_.stats.gaps.fetch_add(outcome.gaps_added, std::memory_order_relaxed);
    for (const auto& l : outcome.leaks.appeared) ctx_.log.leak(host_id_, l, true);
    for (const auto& l : outcome.leaks.cleared) ctx_.log.leak(host_id_, l, false);
    ctx_.log.sample(s, hostname_, HostRegistry::system_clock_ms());
    ctx_.live.forward_sample(host_id_, raw);
    ctx_.fleet.on_sample(hostname_, s, &fleet_handle_);
    alert_events_.clear();
    ctx_.alerts.on_sample(hostname_, s, alert_events_, &alert_handle_);
    ctx_.alert_changes(alert_events_);
}

template <class Stream>
void AgentSession<Stream>::refuse(RefuseReason reason, std::uint16_t close_code, const std::string& message) {
    ctx_.stats.refuse(reason);
    const std::string who = have_hello_                 ? " (host '" + host_id_ + "')"
                            : !claimed_host_id_.empty() ? " (hello for host '" + claimed_host_id_ + "')"
                                                        : std::string();
    ctx_.log.event("refused frame from " + peer_ + who +
                   ": " + std::string(refuse_reason_name(reason)) + ": " + message + "; closing with " +
                   std::to_string(close_code));
    end_reason_ = std::string(refuse_reason_name(reason));
    send(encode_error(refuse_reason_name(reason), message));
    close(close_code, close_reason_text(message));
}

template <class Stream>
void AgentSession<Stream>::replace() {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
        self->end_reason_ = "replaced by a newer connection";
        self->close(4000, "replaced: a newer connection arrived with host id '" + self->host_id_ + "'");
    });
}

template <class Stream>
void AgentSession<Stream>::shutdown() {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
        self->end_reason_ = "hub shutting down";
        if (!self->ws_.accepted()) return self->ws_.cancel();
        self->close(close_code::going_away, "hub shutting down");
    });
}

template <class Stream>
void AgentSession<Stream>::send(std::string text) {
    ws_.send_text(std::move(text));
}

template <class Stream>
void AgentSession<Stream>::close(std::uint16_t code, std::string reason) {
    if (!ws_.open()) return;
    // Nothing more is read from a closing connection, so a command it owes
    // can never be answered: its requests get their 502 now, not at the deadline.
    ctx_.relay.on_disconnect(conn_id_);
    ws_.close(code, close_reason_text(reason));
}

template class AgentSession<PlainStream>;
template class AgentSession<TlsStream>;

}  // namespace telehub::hub
