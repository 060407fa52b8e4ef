// One connection to Redis over hiredis's async API, driven by an Asio
// io_context: hiredis says when it wants to read or write its socket
// (add/del read/write callbacks) and Asio waits for that readiness, so
// nothing ever blocks the thread. The link reconnects by itself with a
// backoff (0.2 s doubling to 2 s: Redis is near, and the fleet view should
// be whole again soon after it is back) and says when it goes up or down.
// Everything runs on the io_context's one thread: the link is not
// thread-safe, and hiredis is not either. With rediss:// each connection
// goes through a RedisTlsTunnel (hiredis 0.14 has no TLS).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hub/cluster/redis_url.hpp"

struct redisAsyncContext;
struct redisReply;

namespace telehub::hub {

class RedisTlsTunnel;

class RedisLink {
public:
    // up: connected, authenticated, on the database, and Redis answered; down: with why.
    using StateChange = std::function<void(bool up, const std::string& why)>;
    // A reply, or nullptr when the connection ended before it came.
    using ReplyHandler = std::function<void(const redisReply*)>;
    using MessageHandler = std::function<void(std::string_view channel, std::string_view payload)>;

    // `tls`: the client context of a rediss:// URL (make_redis_tls_context); null for redis://.
    RedisLink(boost::asio::io_context& ioc, RedisUrl url, StateChange on_state,
              std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
    ~RedisLink();
    RedisLink(const RedisLink&) = delete;
    RedisLink& operator=(const RedisLink&) = delete;

    void start();
    void stop();  // no callback after it returns

    bool up() const { return up_; }

    // Sent now when up; dropped (the handler called with nullptr) when down:
    // what the cluster sends is refreshed every second, so nothing is queued.
    void command(const std::vector<std::string>& argv, ReplyHandler done = {});

    // This link becomes a subscriber: after every (re)connect it subscribes
    // to `channels` and passes each message on. A subscribed link sends no
    // other command.
    void subscribe(std::vector<std::string> channels, MessageHandler on_message);

    // Waits after a failed connect (default 0.2 s doubling to 2 s).
    void set_backoff(std::chrono::milliseconds first, std::chrono::milliseconds max);

    // Drops the connection as dead (reported down with `why`) and connects
    // again after the backoff: for a subscriber, whose silence only its user
    // can judge (hiredis 0.14 cannot PING a subscribed connection).
    void restart(const std::string& why);

    // How long a connection attempt (TCP, TLS, AUTH) or a PING may go
    // unanswered before the link is dropped as dead: a partition, or a
    // rediss:// URL given a plain port, would otherwise hang without a word.
    static constexpr std::chrono::seconds silence_limit{5};

private:
    struct Watch;
    friend struct RedisLinkCallbacks;

    void connect();
    void connect_hiredis(redisAsyncContext* ac);
    void on_connected(int status);
    void on_disconnected(int status);
    void answered();  // Redis replied on this connection: the link is up
    void retry_later(const std::string& why);
    void set_up(bool up, const std::string& why);
    void on_subscribe_reply(const redisReply* r);
    void send(const std::vector<std::string>& argv, ReplyHandler done);
    void send_subscribe();
    void check_liveness();  // once a second while started
    void drop_connection();  // frees the context and its tunnel, without a callback

    boost::asio::io_context& ioc_;
    RedisUrl url_;
    StateChange on_state_;
    redisAsyncContext* ac_ = nullptr;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    std::shared_ptr<RedisTlsTunnel> tunnel_;  // rediss://: this connection's
    std::shared_ptr<Watch> watch_;
    boost::asio::steady_timer retry_;
    boost::asio::steady_timer liveness_;
    std::chrono::steady_clock::time_point waiting_since_{};  // of the attempt or the oldest unanswered PING; {} when none
    bool ping_out_ = false;
    std::chrono::milliseconds first_wait_{200}, max_wait_{2000}, wait_{200};
    bool stopping_ = false;
    bool up_ = false;
    bool reported_ = false;  // on_state_ called at least once
    std::string refused_;  // why the server refused the connection (AUTH), for the down report
    std::vector<std::string> channels_;
    MessageHandler on_message_;
};

}  // namespace telehub::hub
