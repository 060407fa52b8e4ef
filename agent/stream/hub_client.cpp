#include "agent/stream/hub_client.hpp"

#include <algorithm>
#include <cstdio>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/ssl.h>
#include <nlohmann/json.hpp>

#include "telehub/codec.hpp"

namespace telehub::agent {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using boost::system::error_code;

// One connection, plain (ws://) or over TLS (wss://); ws(f) calls f with
// whichever WebSocket stream it is, so the protocol code is written once.
struct HubClient::Link {
    using PlainWs = websocket::stream<beast::tcp_stream>;
    using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

    Link(const net::any_io_executor& ex, ClientTls* tls) : resolver(ex) {
        if (tls) secure.emplace(ex, tls->context());
        else plain.emplace(ex);
    }
    template <class F>
    decltype(auto) ws(F&& f) {
        return secure ? f(*secure) : f(*plain);
    }
    beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : beast::get_lowest_layer(*plain); }

    tcp::resolver resolver;
    std::optional<PlainWs> plain;
    std::optional<TlsWs> secure;
    websocket::response_type upgrade;  // the hub's answer to the upgrade, for a refused handshake
    beast::flat_buffer rx;
    std::string verify_error;  // why the hub's certificate was refused, from the verify callback
};

namespace {

std::string seconds_text(std::chrono::milliseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
    return buf;
}

std::string describe_close(const websocket::close_reason& cr) {
    std::string s = "hub closed the connection with code " + std::to_string(cr.code);
    switch (cr.code) {
    case 4000: s += " (replaced: a newer connection with this host id took over)"; break;
    case 4001: s += " (this agent's credential was revoked on the hub)"; break;
    case 4003: s += " (this agent's credential may not speak for its host id; check --host-id and the hub's tokens file)"; break;
    case 1008: s += " (policy violation: the hub refused this agent; check --token and the hello)"; break;
    case 1009: s += " (a frame was over the hub's --max-frame)"; break;
    case 1007: s += " (a frame was not valid UTF-8)"; break;
    case 1003: s += " (the hub refuses binary frames)"; break;
    case 1001: s += " (going away: the hub is shutting down)"; break;
    default: break;
    }
    if (!cr.reason.empty()) s += ", reason '" + std::string(cr.reason.data(), cr.reason.size()) + "'";
    return s;
}

const std::string* string_field(const nlohmann::json& j, const char* name) {
    auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

// "; <message>" of the hub's {"error":{"message":..}} body, or "" when the body is not that.
std::string hub_error_message(const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) return {};
    auto e = j.find("error");
    if (e == j.end() || !e->is_object()) return {};
    const std::string* m = string_field(*e, "message");
    return m ? "; " + *m : std::string();
}

bool any_tls(const HubClientOptions& o) {
    return o.url.tls || std::any_of(o.alternates.begin(), o.alternates.end(), [](const HubUrl& u) { return u.tls; });
}

}  // namespace

HubClient::HubClient(net::io_context& ioc, HubClientOptions options)
    : HubClient(net::any_io_executor(ioc.get_executor()), std::move(options)) {}

HubClient::HubClient(net::any_io_executor ex, HubClientOptions options)
    : ex_(std::move(ex)),
      opt_(std::move(options)),
      tls_(any_tls(opt_) ? std::make_unique<ClientTls>(opt_.ca_file, opt_.hub_fingerprint) : nullptr),
      hello_frame_(std::make_shared<const std::string>(encode_hello(opt_.hello))),
      max_queue_(opt_.max_queued_frames ? opt_.max_queued_frames : opt_.buffer + 64),
      buffer_(opt_.buffer),
      backoff_(opt_.backoff, opt_.backoff_seed ? opt_.backoff_seed : std::random_device{}()),
      timer_(ex_) {}

HubClient::~HubClient() = default;

void HubClient::log(std::string_view line) const {
    if (opt_.log) return opt_.log(line);
    std::string out = "telehub-agent: ";
    out.append(line);
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stderr);
}

void HubClient::start() {
    if (state_ != State::idle) return;
    connect();
}

void HubClient::connect() {
    auto link = std::make_shared<Link>(ex_, tls_.get());
    link_ = link;
    queue_.clear();
    writing_ = false;
    hub_error_.clear();
    state_ = State::connecting;
    ++stats_.connect_attempts;
    link->resolver.async_resolve(
        opt_.url.host, opt_.url.port, [this, link](error_code ec, tcp::resolver::results_type results) {
            if (stale(link)) return;
            if (ec) return fail(link, ec, "resolving '" + opt_.url.host + "'");
            link->tcp().expires_after(opt_.connect_timeout);
            link->tcp().async_connect(
                results, [this, link](error_code ec, const tcp::endpoint&) { on_connect(link, ec); });
        });
}

void HubClient::on_connect(const LinkPtr& link, error_code ec) {
    if (stale(link)) return;
    if (ec) return fail(link, ec, "connect");
    if (!link->secure) return websocket_handshake(link);
    auto& tls = link->secure->next_layer();
    tls_->prepare(tls.native_handle(), opt_.url.host, link->verify_error);
    tls.set_verify_callback([this, raw = link.get()](bool preverified, net::ssl::verify_context& vc) {
        return tls_->verify(preverified, vc, opt_.url.host, raw->verify_error);
    });
    link->tcp().expires_after(opt_.handshake_timeout);
    tls.async_handshake(net::ssl::stream_base::client, [this, link](error_code ec) { on_tls_handshake(link, ec); });
}

void HubClient::on_tls_handshake(const LinkPtr& link, error_code ec) {
    if (stale(link)) return;
    // The hello, and the token in it, go out only after this succeeded.
    if (ec && !link->verify_error.empty()) return fail(link, {}, "TLS: " + link->verify_error + "; the token was not sent");
    if (ec) return fail(link, ec, "TLS handshake");
    if (SSL_session_reused(link->secure->next_layer().native_handle())) ++stats_.tls_resumed;
    websocket_handshake(link);
}

void HubClient::websocket_handshake(const LinkPtr& link) {
    // The websocket stream keeps its own timers; the TCP one must be off.
    link->tcp().expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = opt_.handshake_timeout;
    t.idle_timeout = opt_.idle_timeout;
    t.keep_alive_pings = true;
    link->ws([&](auto& ws) {
        ws.set_option(t);
        ws.set_option(websocket::stream_base::decorator(
            [](websocket::request_type& req) { req.set(http::field::user_agent, "telehub-agent"); }));
        ws.read_message_max(opt_.max_frame_bytes);
        ws.async_handshake(link->upgrade, opt_.url.host_header(), opt_.url.target,
                           [this, link](error_code ec) { on_handshake(link, ec); });
    });
}

void HubClient::on_handshake(const LinkPtr& link, error_code ec) {
    if (stale(link)) return;
    if (ec) {
        if (link->upgrade.result_int() != 0 && link->upgrade.result() != http::status::switching_protocols) {
            std::string why = link->upgrade.result() == http::status::not_found
                                  ? "; check the path in --hub"
                                  : hub_error_message(link->upgrade.body());
            return fail(link, {}, "the hub answered HTTP " + std::to_string(link->upgrade.result_int()) +
                                      " to the WebSocket upgrade at '" + opt_.url.target + "'" + why);
        }
        return fail(link, ec, "websocket handshake");
    }
    state_ = State::awaiting_welcome;
    link->ws([](auto& ws) { ws.text(true); });
    enqueue({hello_frame_, 0, false});
    read(link);
    timer_.expires_after(opt_.welcome_timeout);
    timer_.async_wait([this, link](error_code ec) {
        if (ec || stale(link) || state_ != State::awaiting_welcome) return;
        fail(link, {}, "no welcome within " + seconds_text(opt_.welcome_timeout) + " of the hello");
    });
}

void HubClient::read(const LinkPtr& link) {
    link->ws([&](auto& ws) {
        ws.async_read(link->rx, [this, link](error_code ec, std::size_t) { on_read(link, ec); });
    });
}

void HubClient::on_read(const LinkPtr& link, error_code ec) {
    if (stale(link)) return;
    if (ec) return fail(link, ec, "read");
    if (!link->ws([](auto& ws) { return ws.got_text(); })) return fail(link, {}, "the hub sent a binary frame");
    auto data = link->rx.cdata();
    on_frame(link, std::string_view(static_cast<const char*>(data.data()), data.size()));
    link->rx.consume(link->rx.size());
    if (!stale(link)) read(link);
}

void HubClient::on_frame(const LinkPtr& link, std::string_view frame) {
    // Hub replies are small and rare: nlohmann, without exceptions, is enough.
    auto j = nlohmann::json::parse(frame, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail(link, {}, "the hub sent a frame that is not a JSON object");
    const std::string* type = string_field(j, "type");
    if (!type) return fail(link, {}, "the hub sent a frame without a string 'type'");

    if (*type == "welcome") {
        if (state_ != State::awaiting_welcome) return fail(link, {}, "the hub sent a second welcome");
        auto it = j.find("last_seq");
        if (it == j.end() || !it->is_number_unsigned())
            return fail(link, {}, "the hub's welcome has no non-negative integer 'last_seq'");
        return on_welcome(link, it->get<std::uint64_t>());
    }
    if (*type == "error") {
        // A close frame follows; its log line carries this.
        const std::string* code = string_field(j, "code");
        const std::string* message = string_field(j, "message");
        hub_error_ = "hub error '" + (code ? *code : std::string("?")) + "': " + (message ? *message : std::string());
        return;
    }
    if (state_ != State::live) return fail(link, {}, "the hub sent '" + *type + "' before the welcome");
    if (opt_.on_command) return opt_.on_command(frame);
    log("hub " + opt_.url.to_string() + ": ignoring a '" + *type + "' frame: this agent handles no commands");
}

void HubClient::on_welcome(const LinkPtr& link, std::uint64_t last_seq) {
    timer_.cancel();
    state_ = State::live;
    welcomed_at_ = std::chrono::steady_clock::now();
    // TLS 1.3 tickets arrive after the handshake; by the welcome they are here.
    if (link->secure) tls_->remember_session(link->secure->next_layer().native_handle());
    ++stats_.welcomes;
    sent_high_ = last_seq;  // the hub's word, not what we wrote, decides what counts as lost

    auto missing = buffer_.after(last_seq);
    std::string line = "hub " + opt_.url.to_string() + ": connected; the hub has seq " + std::to_string(last_seq);
    if (!missing.empty()) {
        line += ", replaying " + std::to_string(missing.size()) + " buffered samples from seq " +
                std::to_string(missing.front());
        if (missing.front() > last_seq + 1 && last_seq != 0)
            line += " (seq " + std::to_string(last_seq + 1) + ".." + std::to_string(missing.front() - 1) +
                    " are no longer buffered)";
    }
    if (drops_since_welcome_ != 0)
        line += "; " + std::to_string(drops_since_welcome_) + " samples were dropped while disconnected (buffer full)";
    drops_since_welcome_ = 0;
    log(line);

    // Queued as seqs: each is inflated when its write starts (write()).
    for (auto seq : missing) {
        if (!enqueue({nullptr, seq, true})) return;
        if (stale(link)) return;
    }
}

bool HubClient::enqueue(Outgoing item) {
    if (!link_ || (state_ != State::live && state_ != State::awaiting_welcome)) return false;
    if (queue_.size() >= max_queue_) {
        fail(link_, {}, "the hub is not reading: " + std::to_string(queue_.size()) + " frames queued");
        return false;
    }
    queue_.push_back(std::move(item));
    if (!writing_) write(link_);
    return true;
}

// Gives the replayed sample at the front of the queue its frame; drops
// replayed samples evicted since they were queued (counted as dropped when
// evicted) or whose frame is not an object. False when the queue ran out.
bool HubClient::inflate_front() {
    while (!queue_.empty() && !queue_.front().frame) {
        auto seq = queue_.front().seq;
        auto text = buffer_.frame(seq);
        std::optional<std::string> marked;
        if (text) marked = mark_backfill(*text);
        if (marked) {
            queue_.front().frame = std::make_shared<const std::string>(std::move(*marked));
            return true;
        }
        if (text) {
            log("hub " + opt_.url.to_string() + ": not replaying seq " + std::to_string(seq) +
                ": its frame is not a JSON object");
        } else if (seq >= buffer_.oldest_seq()) {
            log("hub " + opt_.url.to_string() + ": not replaying seq " + std::to_string(seq) +
                ": its buffered frame did not inflate");
        }
        queue_.pop_front();
    }
    return !queue_.empty();
}

void HubClient::write(const LinkPtr& link) {
    if (!inflate_front()) {
        writing_ = false;
        return;
    }
    writing_ = true;
    Outgoing item = queue_.front();  // shares the frame: it outlives a queue cleared by fail()
    link->ws([&](auto& ws) {
        ws.async_write(net::buffer(*item.frame),
                       [this, link, item](error_code ec, std::size_t) { on_write(link, item, ec); });
    });
}

void HubClient::on_write(const LinkPtr& link, const Outgoing& item, error_code ec) {
    if (stale(link)) return;
    if (ec) return fail(link, ec, "write");
    writing_ = false;
    queue_.pop_front();
    if (item.seq != 0) {
        sent_high_ = std::max(sent_high_, item.seq);
        ++(item.backfill ? stats_.sent_backfill : stats_.sent_live);
    }
    if (!queue_.empty()) write(link);
}

bool HubClient::submit(std::uint64_t seq, std::string frame) {
    if (!buffer(seq, frame)) return false;
    if (state_ == State::live) enqueue({std::make_shared<const std::string>(std::move(frame)), seq, false});
    return true;
}

bool HubClient::submit(std::uint64_t seq, std::string frame, std::string_view replay) {
    if (!buffer(seq, replay)) return false;
    if (state_ == State::live) enqueue({std::make_shared<const std::string>(std::move(frame)), seq, false});
    return true;
}

bool HubClient::buffer(std::uint64_t seq, std::string_view frame) {
    if (state_ == State::stopped) return false;
    auto pushed = buffer_.push(seq, frame);
    if (!pushed.accepted) {
        ++stats_.refused;
        log("refusing sample seq " + std::to_string(seq) + ": not above the last one, " +
            std::to_string(buffer_.newest_seq()));
        return false;
    }
    ++stats_.submitted;
    if (pushed.evicted && *pushed.evicted > sent_high_) {
        ++stats_.dropped;
        // One line per outage; the count is reported when the hub is back.
        if (drops_since_welcome_++ == 0)
            log("backfill buffer full (" + std::to_string(buffer_.capacity()) +
                " samples): dropping the oldest unsent samples until the hub is back");
    }
    return true;
}

bool HubClient::send_text(std::string text) {
    if (state_ != State::live) return false;
    return enqueue({std::make_shared<const std::string>(std::move(text)), 0, false});
}

void HubClient::fail(const LinkPtr& link, error_code ec, std::string what) {
    if (stale(link)) return;
    bool was_live = state_ == State::live;
    std::string line = "hub " + opt_.url.to_string() + ": ";
    if (ec == websocket::error::closed) {
        line += describe_close(link->ws([](auto& ws) { return ws.reason(); }));
    } else {
        line += what;
        if (ec) line += ": " + ec.message();
    }
    if (!hub_error_.empty()) line += " (" + hub_error_ + ")";

    error_code ignored;
    link->resolver.cancel();
    link->tcp().socket().close(ignored);
    link_.reset();
    queue_.clear();
    writing_ = false;
    timer_.cancel();

    if (was_live) {
        ++stats_.disconnects;
        if (std::chrono::steady_clock::now() - welcomed_at_ >= opt_.stable_after) backoff_.reset();
    }
    auto delay = backoff_.next();
    state_ = State::waiting_retry;
    if (!opt_.alternates.empty()) {
        // The next hub in turn; this one goes to the back of the list.
        opt_.alternates.push_back(std::move(opt_.url));
        opt_.url = std::move(opt_.alternates.front());
        opt_.alternates.erase(opt_.alternates.begin());
        line += "; trying " + opt_.url.to_string();
    }
    if (ec != net::error::operation_aborted) log(line + "; retrying in " + seconds_text(delay));
    timer_.expires_after(delay);
    timer_.async_wait([this](error_code ec) {
        if (ec || state_ != State::waiting_retry) return;
        connect();
    });
}

void HubClient::stop() {
    if (state_ == State::stopped) return;
    bool open = state_ == State::awaiting_welcome || state_ == State::live;
    state_ = State::stopped;
    timer_.cancel();
    auto link = std::move(link_);
    queue_.clear();
    writing_ = false;
    if (!link) return;
    link->resolver.cancel();
    if (open) {
        // Bounded by handshake_timeout; the handler keeps the link alive until then.
        link->ws([&](auto& ws) { ws.async_close(websocket::close_code::normal, [link](error_code) {}); });
    } else {
        error_code ignored;
        link->tcp().socket().close(ignored);
    }
}

HubClientStats HubClient::stats() const {
    HubClientStats s = stats_;
    s.buffered = buffer_.size();
    s.buffered_bytes = buffer_.packed_bytes();
    s.buffered_text_bytes = buffer_.frame_bytes();
    s.connected = connected();
    return s;
}

}  // namespace telehub::agent
