#include "loadgen/dashboard_clients.hpp"

#include <chrono>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "loadgen/live_frame.hpp"
#include "loadgen/sample_factory.hpp"

namespace telehub::loadgen {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {

// A summaries frame of 10,000 hosts is a few MB; a snapshot with sparklines more.
constexpr std::size_t max_live_frame = 256u << 20;

std::int64_t system_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

class DashboardClients::Client : public std::enable_shared_from_this<Client> {
public:
    Client(net::io_context& ioc, DashboardClients& group, net::ip::tcp::endpoint hub, std::size_t index,
           std::string subscribe, const SendTimes& send_times, ErrorTally& errors)
        : ws_(ioc), group_(group), hub_(hub), index_(index), subscribe_(std::move(subscribe)),
          send_times_(send_times), errors_(errors) {}

    void start() {
        beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
        beast::get_lowest_layer(ws_).async_connect(hub_, beast::bind_front_handler(&Client::on_connect, shared_from_this()));
    }

    void close() {
        closing_ = true;
        beast::get_lowest_layer(ws_).close();
    }

private:
    void on_connect(beast::error_code ec) {
        if (ec) return fail(ec, "dashboard connect");
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws_.read_message_max(max_live_frame);
        auto host = hub_.address().to_string() + ":" + std::to_string(hub_.port());
        ws_.async_handshake(host, "/ws/live", beast::bind_front_handler(&Client::on_handshake, shared_from_this()));
    }

    void on_handshake(beast::error_code ec) {
        if (ec) return fail(ec, "dashboard WebSocket handshake on /ws/live");
        beast::get_lowest_layer(ws_).expires_never();
        {
            std::lock_guard lock(group_.record_.mu);
            group_.record_.clients[index_].connected = true;
        }
        do_read();
        if (subscribe_.empty()) {
            group_.subscribed_.fetch_add(1);
            return;
        }
        ws_.text(true);
        ws_.async_write(net::buffer(subscribe_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->fail(ec, "sending the subscribe message");
            self->group_.subscribed_.fetch_add(1);
        });
    }

    void do_read() { ws_.async_read(buffer_, beast::bind_front_handler(&Client::on_read, shared_from_this())); }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) {
            if (closing_ || ec == net::error::operation_aborted) return;
            std::lock_guard lock(group_.record_.mu);
            group_.record_.clients[index_].lost = true;
            return fail(ec, "dashboard read");
        }
        auto now = system_us();
        auto data = buffer_.cdata();
        std::string_view text(static_cast<const char*>(data.data()), data.size());
        auto kind = classify_live_frame(text);
        std::int64_t latency = -1;
        if (kind == LiveFrameKind::sample) {
            if (auto st = read_sample_stamp(text)) {
                long host = host_index_of(st->host_id);
                std::int64_t sent = host >= 0 ? send_times_.lookup(send_times_.slot(std::size_t(host)), st->seq) : 0;
                // Without the microsecond send time, ts_ms still bounds it.
                latency = sent > 0 ? now - sent : now - st->ts_ms * 1000;
            }
        }
        if (kind == LiveFrameKind::error) errors_.note("hub error frame to a dashboard: " + std::string(text.substr(0, 200)));
        {
            std::lock_guard lock(group_.record_.mu);
            auto& log = group_.record_.clients[index_];
            ++log.frames;
            log.bytes += text.size();
            if (kind == LiveFrameKind::summaries && completes_summaries(text)) log.summaries_us.push_back(now);
            if (kind == LiveFrameKind::snapshot) ++log.snapshots;
            if (kind == LiveFrameKind::error) ++log.error_frames;
            if (kind == LiveFrameKind::sample) {
                ++log.detail_samples;
                if (latency >= 0) group_.record_.latency.push_back({now, latency});
                else ++group_.record_.unmatched_samples;
            }
        }
        buffer_.clear();
        do_read();
    }

    void fail(beast::error_code ec, const char* what) {
        if (closing_ || ec == net::error::operation_aborted) return;
        std::string why = ec.message();
        if (ec == websocket::error::closed)
            why = "closed by the hub with " + std::to_string(ws_.reason().code) + " " + std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
        errors_.note(std::string(what) + ": " + why);
    }

    websocket::stream<beast::tcp_stream> ws_;
    DashboardClients& group_;
    net::ip::tcp::endpoint hub_;
    std::size_t index_;
    std::string subscribe_;
    const SendTimes& send_times_;
    ErrorTally& errors_;
    beast::flat_buffer buffer_;
    bool closing_ = false;
};

DashboardClients::DashboardClients(net::ip::tcp::endpoint hub, std::size_t count, std::vector<std::string> detail_hosts,
                                   const SendTimes& send_times, ErrorTally& errors)
    : work_(ioc_.get_executor()) {
    record_.clients.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::string subscribe;
        if (i == 0 && !detail_hosts.empty())
            subscribe = nlohmann::json{{"type", "subscribe"}, {"detail", detail_hosts}}.dump();
        clients_.push_back(std::make_shared<Client>(ioc_, *this, hub, i, std::move(subscribe), send_times, errors));
    }
    net::post(ioc_, [this] {
        for (auto& c : clients_) c->start();
    });
    thread_ = std::thread([this] { ioc_.run(); });
}

DashboardClients::~DashboardClients() { stop(); }

void DashboardClients::stop() {
    if (!thread_.joinable()) return;
    net::post(ioc_, [this] {
        for (auto& c : clients_) c->close();
        work_.reset();
    });
    thread_.join();
    clients_.clear();
}

}  // namespace telehub::loadgen
