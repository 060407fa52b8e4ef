#include "hub/cluster/redis_link.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <cstdlib>
#include <filesystem>
#include <utility>

#include <boost/asio/posix/stream_descriptor.hpp>

#include "hub/cluster/redis_tls_tunnel.hpp"

namespace telehub::hub {

namespace net = boost::asio;

// hiredis's event hooks for one context, over Asio. Shared with the pending
// waits, so a context freed by hiredis (cleanup) while a wait is armed
// leaves the wait a harmless no-op; the descriptor is released, never
// closed: the socket is hiredis's.
struct RedisLink::Watch : std::enable_shared_from_this<RedisLink::Watch> {
    Watch(net::io_context& ioc, redisAsyncContext* c) : ac(c), fd(ioc, c->c.fd) {}

    void want(net::posix::descriptor_base::wait_type type) {
        const bool read = type == net::posix::descriptor_base::wait_read;
        bool& wanted = read ? want_read : want_write;
        bool& armed = read ? read_armed : write_armed;
        wanted = true;
        if (armed || !ac) return;
        armed = true;
        fd.async_wait(type, [self = shared_from_this(), read, type](boost::system::error_code ec) {
            (read ? self->read_armed : self->write_armed) = false;
            if (ec || !self->ac || !(read ? self->want_read : self->want_write)) return;
            if (read) redisAsyncHandleRead(self->ac);
            else redisAsyncHandleWrite(self->ac);
            // The handler may have freed the context (cleanup cleared ac).
            if (self->ac && (read ? self->want_read : self->want_write)) self->want(type);
        });
    }

    void cleanup() {
        ac = nullptr;
        want_read = want_write = false;
        fd.release();  // ends the pending waits with operation_aborted
    }

    redisAsyncContext* ac;
    net::posix::stream_descriptor fd;
    bool want_read = false, want_write = false;
    bool read_armed = false, write_armed = false;
};

// hiredis takes C function pointers; each finds its link through the
// context's user data (ac->data) or the command's privdata.
struct RedisLinkCallbacks {
    static void add_read(void* p) { static_cast<RedisLink::Watch*>(p)->want(net::posix::descriptor_base::wait_read); }
    static void del_read(void* p) { static_cast<RedisLink::Watch*>(p)->want_read = false; }
    static void add_write(void* p) { static_cast<RedisLink::Watch*>(p)->want(net::posix::descriptor_base::wait_write); }
    static void del_write(void* p) { static_cast<RedisLink::Watch*>(p)->want_write = false; }
    static void cleanup(void* p) { static_cast<RedisLink::Watch*>(p)->cleanup(); }

    static void connected(const redisAsyncContext* ac, int status) {
        if (auto* link = static_cast<RedisLink*>(ac->data)) link->on_connected(status);
    }
    static void disconnected(const redisAsyncContext* ac, int status) {
        if (auto* link = static_cast<RedisLink*>(ac->data)) link->on_disconnected(status);
    }
    static void reply(redisAsyncContext*, void* r, void* privdata) {
        std::unique_ptr<RedisLink::ReplyHandler> done(static_cast<RedisLink::ReplyHandler*>(privdata));
        if (done && *done) (*done)(static_cast<const redisReply*>(r));
    }
    static void message(redisAsyncContext* ac, void* r, void*) {
        if (auto* link = static_cast<RedisLink*>(ac->data)) link->on_subscribe_reply(static_cast<const redisReply*>(r));
    }
};

RedisLink::RedisLink(net::io_context& ioc, RedisUrl url, StateChange on_state, std::shared_ptr<net::ssl::context> tls)
    : ioc_(ioc), url_(std::move(url)), on_state_(std::move(on_state)), tls_(std::move(tls)), retry_(ioc), liveness_(ioc) {}

RedisLink::~RedisLink() { stop(); }

void RedisLink::set_backoff(std::chrono::milliseconds first, std::chrono::milliseconds max) {
    first_wait_ = wait_ = first;
    max_wait_ = max;
}

void RedisLink::start() {
    stopping_ = false;
    connect();
    check_liveness();
}

void RedisLink::check_liveness() {
    liveness_.expires_after(std::chrono::seconds(1));
    liveness_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopping_) return;
        const auto now = std::chrono::steady_clock::now();
        const bool silent = waiting_since_ != std::chrono::steady_clock::time_point{} && now - waiting_since_ > silence_limit;
        if (silent && !up_) {
            restart("no answer from " + url_.display() + " within " + std::to_string(silence_limit.count()) +
                    " s of connecting (" + (url_.tls ? "is that port Redis's tls-port?" : "is that port TLS-only? use rediss://") + ")");
        } else if (silent) {
            restart("no answer from Redis for " + std::to_string(silence_limit.count()) + " s (the network or Redis stalled)");
        } else if (up_ && ac_ && channels_.empty() && !ping_out_) {
            ping_out_ = true;
            waiting_since_ = now;
            send({"PING"}, [this](const redisReply* r) {
                if (!r) return;  // the connection went first
                ping_out_ = false;
                waiting_since_ = {};
            });
        }
        check_liveness();
    });
}

void RedisLink::restart(const std::string& why) {
    if (stopping_) return;
    drop_connection();
    retry_.cancel();
    retry_later(why);
}

void RedisLink::stop() {
    stopping_ = true;
    retry_.cancel();
    liveness_.cancel();
    drop_connection();
    up_ = false;
}

void RedisLink::drop_connection() {
    if (ac_) {
        redisAsyncContext* ac = ac_;
        ac_ = nullptr;
        ac->data = nullptr;  // no connect/disconnect callback: the caller reports, or the link is going
        redisAsyncFree(ac);  // pending replies get nullptr; cleanup releases the descriptor
    }
    watch_.reset();
    if (tunnel_) std::exchange(tunnel_, nullptr)->close();
}

void RedisLink::connect() {
    if (stopping_) return;
    waiting_since_ = std::chrono::steady_clock::now();
    ping_out_ = false;
    if (!tls_) return connect_hiredis(redisAsyncConnect(url_.host.c_str(), url_.port));
    if (tunnel_) tunnel_->close();
    tunnel_ = std::make_shared<RedisTlsTunnel>(ioc_, *tls_, url_);
    tunnel_->open([this, tunnel = tunnel_.get()](const std::string& error) {
        if (stopping_ || tunnel_.get() != tunnel) return;  // stopped, or a newer attempt
        if (!error.empty()) return retry_later("TLS to " + url_.display() + ": " + error);
        connect_hiredis(redisAsyncConnectUnix(tunnel->socket_path().c_str()));
    });
}

void RedisLink::connect_hiredis(redisAsyncContext* ac) {
    if (!ac) return retry_later("out of memory for a Redis connection");
    if (ac->err) {
        std::string why = ac->errstr;
        redisAsyncFree(ac);
        return retry_later(why);
    }
    ac_ = ac;
    ac->data = this;
    watch_ = std::make_shared<Watch>(ioc_, ac);
    ac->ev.data = watch_.get();
    ac->ev.addRead = &RedisLinkCallbacks::add_read;
    ac->ev.delRead = &RedisLinkCallbacks::del_read;
    ac->ev.addWrite = &RedisLinkCallbacks::add_write;
    ac->ev.delWrite = &RedisLinkCallbacks::del_write;
    ac->ev.cleanup = &RedisLinkCallbacks::cleanup;
    redisAsyncSetDisconnectCallback(ac, &RedisLinkCallbacks::disconnected);
    // Setting it arms the first write wait: writable means connected.
    redisAsyncSetConnectCallback(ac, &RedisLinkCallbacks::connected);
}

void RedisLink::on_connected(int status) {
    if (status != REDIS_OK) {
        // hiredis frees the context after this callback.
        std::string why = ac_ && ac_->errstr[0] ? ac_->errstr : "connect failed";
        ac_ = nullptr;
        return retry_later(why);
    }
    // Sent first, so every later command runs authenticated and on the database.
    if (!url_.password.empty()) {
        std::vector<std::string> auth = {"AUTH"};
        if (!url_.user.empty()) auth.push_back(url_.user);
        auth.push_back(url_.password);
        send(auth, [this](const redisReply* r) {
            // A refused password is a configuration error: said, and tried again after the backoff.
            if (r && r->type == REDIS_REPLY_ERROR && ac_) {
                refused_ = std::string("AUTH refused: ") + std::string(r->str, r->len);
                redisAsyncDisconnect(ac_);
            }
        });
    }
    if (url_.db != 0) redisAsyncCommand(ac_, &RedisLinkCallbacks::reply, nullptr, "SELECT %d", url_.db);
    // Up once Redis has answered, after AUTH and SELECT: connected is not
    // enough (a TLS peer may still refuse the client's certificate, a
    // password may be wrong). A subscriber's answer is its first subscribe
    // confirmation.
    if (!channels_.empty()) return send_subscribe();
    send({"PING"}, [this](const redisReply* r) {
        if (r && r->type == REDIS_REPLY_STATUS && std::string_view(r->str, r->len) == "PONG") answered();
    });
}

void RedisLink::answered() {
    if (up_) return;
    waiting_since_ = {};
    wait_ = first_wait_;
    set_up(true, "connected to " + url_.display());
}

void RedisLink::on_disconnected(int status) {
    // hiredis frees the context after this callback.
    std::string why = status == REDIS_OK ? "connection closed" : (ac_ && ac_->errstr[0] ? ac_->errstr : "connection lost");
    if (!refused_.empty()) why = std::exchange(refused_, {});
    ac_ = nullptr;
    if (tunnel_) std::exchange(tunnel_, nullptr)->close();
    retry_later(why);
}

void RedisLink::retry_later(const std::string& why) {
    waiting_since_ = {};  // until the next attempt starts
    ping_out_ = false;
    set_up(false, why);
    if (stopping_) return;
    retry_.expires_after(wait_);
    wait_ = std::min(wait_ * 2, max_wait_);
    retry_.async_wait([this](boost::system::error_code ec) {
        if (!ec) connect();
    });
}

void RedisLink::set_up(bool up, const std::string& why) {
    const bool changed = up != up_ || !reported_;
    up_ = up;
    reported_ = true;
    if (changed && on_state_ && !stopping_) on_state_(up, why);
}

void RedisLink::command(const std::vector<std::string>& args, ReplyHandler done) {
    if (!up_ || !ac_) {
        if (done) done(nullptr);
        return;
    }
    send(args, std::move(done));
}

void RedisLink::send(const std::vector<std::string>& args, ReplyHandler done) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    auto* handler = done ? new ReplyHandler(std::move(done)) : nullptr;
    if (redisAsyncCommandArgv(ac_, &RedisLinkCallbacks::reply, handler, static_cast<int>(argv.size()), argv.data(),
                              lens.data()) != REDIS_OK) {
        std::unique_ptr<ReplyHandler> owned(handler);
        if (owned && *owned) (*owned)(nullptr);
    }
}

void RedisLink::subscribe(std::vector<std::string> channels, MessageHandler on_message) {
    channels_ = std::move(channels);
    on_message_ = std::move(on_message);
    if (up_ && ac_) send_subscribe();
}

void RedisLink::send_subscribe() {
    // One SUBSCRIBE per channel: hiredis routes each channel's messages to the callback given with it.
    for (const auto& c : channels_)
        redisAsyncCommand(ac_, &RedisLinkCallbacks::message, nullptr, "SUBSCRIBE %b", c.data(), c.size());
}

void RedisLink::on_subscribe_reply(const redisReply* r) {
    // ["message", channel, payload], or the ["subscribe", channel, n] confirmation.
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) return;
    const redisReply* kind = r->element[0];
    if (kind->type != REDIS_REPLY_STRING) return;
    if (std::string_view(kind->str, kind->len) == "subscribe") return answered();
    if (std::string_view(kind->str, kind->len) != "message") return;
    const redisReply* ch = r->element[1];
    const redisReply* payload = r->element[2];
    if (ch->type != REDIS_REPLY_STRING || payload->type != REDIS_REPLY_STRING || !on_message_) return;
    on_message_(std::string_view(ch->str, ch->len), std::string_view(payload->str, payload->len));
}

}  // namespace telehub::hub
