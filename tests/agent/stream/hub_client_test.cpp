#include "agent/stream/hub_client.hpp"

#define BOOST_TEST_MODULE hub_client
#include <boost/test/unit_test.hpp>

#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "telehub/codec.hpp"
#include "tests/support/net.hpp"
#include "tests/support/wait.hpp"

using namespace telehub;
using namespace telehub::agent;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto deadline = 10s;

// A stand-in hub on 127.0.0.1 with its own io thread: it records every text
// frame and follows a small script. stop() drops everything at once, the way
// a killed hub would.
class TestHub {
public:
    struct Script {
        std::uint64_t welcome_last_seq = 0;
        std::uint16_t close_after_hello = 0;  // nonzero: refuse with this close code, no welcome
        std::string close_reason;
        std::string error_frame;    // sent before that close when not empty
        std::string after_welcome;  // a frame sent right after the welcome (a command)
    };

    TestHub(std::uint16_t port, Script script) : acceptor_(ioc_), script_(std::move(script)) {
        tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        accept();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~TestHub() { stop(); }

    void stop() {
        if (!thread_.joinable()) return;
        net::post(ioc_, [this] {
            error_code ec;
            acceptor_.close(ec);
            for (auto& ws : sessions_) ws->next_layer().close(ec);
            sessions_.clear();
        });
        thread_.join();
    }

    std::vector<std::string> frames() const {
        std::lock_guard lock(mu_);
        return frames_;
    }
    std::size_t hellos() const {
        std::lock_guard lock(mu_);
        return hellos_;
    }
    std::vector<std::uint16_t> close_codes() const {
        std::lock_guard lock(mu_);
        return close_codes_;
    }

private:
    using Ws = websocket::stream<tcp::socket>;

    void record(std::string frame, bool hello) {
        std::lock_guard lock(mu_);
        frames_.push_back(std::move(frame));
        if (hello) ++hellos_;
    }

    void accept() {
        acceptor_.async_accept([this](error_code ec, tcp::socket sock) {
            if (ec) return;
            auto ws = std::make_shared<Ws>(std::move(sock));
            sessions_.push_back(ws);
            ws->async_accept([this, ws](error_code ec) {
                if (!ec) read_hello(ws);
            });
            accept();
        });
    }

    void read_hello(const std::shared_ptr<Ws>& ws) {
        auto buf = std::make_shared<beast::flat_buffer>();
        ws->async_read(*buf, [this, ws, buf](error_code ec, std::size_t) {
            if (ec) return;
            record(beast::buffers_to_string(buf->data()), true);
            buf->consume(buf->size());
            if (script_.close_after_hello != 0) return refuse(ws);
            send(ws, "{\"type\":\"welcome\",\"protocol\":1,\"last_seq\":" + std::to_string(script_.welcome_last_seq) + "}",
                 [this, ws, buf] {
                     if (script_.after_welcome.empty()) return read_loop(ws, buf);
                     send(ws, script_.after_welcome, [this, ws, buf] { read_loop(ws, buf); });
                 });
        });
    }

    void refuse(const std::shared_ptr<Ws>& ws) {
        auto close = [this, ws] {
            websocket::close_reason cr(static_cast<websocket::close_code>(script_.close_after_hello), script_.close_reason);
            ws->async_close(cr, [ws](error_code) {});
        };
        if (script_.error_frame.empty()) return close();
        send(ws, script_.error_frame, close);
    }

    template <class Next>
    void send(const std::shared_ptr<Ws>& ws, std::string text, Next next) {
        auto frame = std::make_shared<std::string>(std::move(text));
        ws->async_write(net::buffer(*frame), [ws, frame, next](error_code ec, std::size_t) {
            if (!ec) next();
        });
    }

    void read_loop(const std::shared_ptr<Ws>& ws, const std::shared_ptr<beast::flat_buffer>& buf) {
        ws->async_read(*buf, [this, ws, buf](error_code ec, std::size_t) {
            if (ec == websocket::error::closed) {
                std::lock_guard lock(mu_);
                close_codes_.push_back(ws->reason().code);
            }
            if (ec) return;
            record(beast::buffers_to_string(buf->data()), false);
            buf->consume(buf->size());
            read_loop(ws, buf);
        });
    }

    net::io_context ioc_;
    tcp::acceptor acceptor_;
    Script script_;
    std::vector<std::shared_ptr<Ws>> sessions_;  // only touched on ioc_'s thread
    std::thread thread_;
    mutable std::mutex mu_;
    std::vector<std::string> frames_;
    std::size_t hellos_ = 0;
    std::vector<std::uint16_t> close_codes_;
};

Sample make_sample(std::uint64_t seq) {
    Sample s;
    s.host_id = "test-host";
    s.seq = seq;
    s.ts_ms = 1763800000000 + static_cast<std::int64_t>(seq) * 1000;
    s.cpu = {12.5, 8.0, 4.0, 0.5, 0.0, {10.1, 14.9}};
    s.mem = {16'000'000'000ULL, 8'000'000'000ULL};
    s.sockets.source = "netlink";
    return s;
}

struct Received {
    std::uint64_t seq;
    bool backfill;
    bool operator==(const Received&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Received& r) {
    return os << r.seq << (r.backfill ? "b" : "");
}

// The sample frames a hub got, decoded the way the real hub decodes them.
std::vector<Received> samples_of(const TestHub& hub) {
    FrameDecoder dec;
    AgentFrame out;
    std::vector<Received> got;
    for (auto& f : hub.frames()) {
        auto err = dec.decode(f, out);
        BOOST_REQUIRE_MESSAGE(!err, "hub could not decode a frame: " << (err ? err->message : "") << ": " << f);
        if (out.kind == FrameKind::sample) got.push_back({out.sample.seq, out.sample.backfill});
    }
    return got;
}

std::vector<Received> expect(std::uint64_t from, std::uint64_t to, bool backfill) {
    std::vector<Received> v;
    for (auto s = from; s <= to; ++s) v.push_back({s, backfill});
    return v;
}

std::vector<Received> operator+(std::vector<Received> a, const std::vector<Received>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// The agent side: a HubClient on its own io_context and thread, driven the
// way the agent's sampling timer drives it (everything posted to that context).
class Agent {
public:
    Agent(std::uint16_t port, std::size_t buffer, std::function<void(Agent&, std::string_view)> on_command = {}) {
        HubClientOptions o;
        o.url = hub_url_or_throw("ws://127.0.0.1:" + std::to_string(port) + "/ws/agent");
        o.hello.protocol = protocol_version;
        o.hello.host_id = "test-host";
        o.hello.hostname = "test-host";
        o.hello.cores = 2;
        o.hello.agent_version = "0.1.0";
        o.hello.instance = 1763800000123;
        o.buffer = buffer;
        // Fast retries so the test spends its time on behaviour, not waiting.
        o.backoff.initial = 20ms;
        o.backoff.cap = 200ms;
        o.backoff_seed = 1234;
        o.handshake_timeout = 2s;
        o.log = [this](std::string_view line) {
            std::lock_guard lock(mu_);
            lines_.emplace_back(line);
        };
        if (on_command) o.on_command = [this, on_command](std::string_view f) { on_command(*this, f); };
        client_ = std::make_unique<HubClient>(ioc_, std::move(o));
        thread_ = std::thread([this] { ioc_.run(); });
        call([this] { client_->start(); });
    }
    ~Agent() {
        call([this] { client_->stop(); });
        work_.reset();
        thread_.join();  // stop() bounds the close handshake by handshake_timeout
        client_.reset();
    }

    template <class F>
    auto call(F f) -> decltype(f()) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        net::post(ioc_, [&task] { task(); });
        if (result.wait_for(deadline) != std::future_status::ready) throw std::runtime_error("agent io thread stuck");
        return result.get();
    }

    HubClient& client() { return *client_; }  // only from the agent's thread
    void submit(std::uint64_t from, std::uint64_t to) {
        // Boost.Test is not thread-safe: count on the agent's thread, check here.
        auto accepted = call([&] {
            std::uint64_t n = 0;
            for (auto s = from; s <= to; ++s) n += client_->submit(s, encode_sample(make_sample(s))) ? 1 : 0;
            return n;
        });
        BOOST_REQUIRE_EQUAL(accepted, to - from + 1);
    }
    HubClientStats stats() {
        return call([this] { return client_->stats(); });
    }
    bool connected() { return stats().connected; }
    bool logged(std::string_view part) {
        std::lock_guard lock(mu_);
        for (auto& l : lines_)
            if (l.find(part) != std::string::npos) return true;
        return false;
    }
    std::string log_text() {
        std::lock_guard lock(mu_);
        std::string all;
        for (auto& l : lines_) all += l + "\n";
        return all;
    }

private:
    net::io_context ioc_;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work_{ioc_.get_executor()};
    std::unique_ptr<HubClient> client_;
    std::thread thread_;
    std::mutex mu_;
    std::vector<std::string> lines_;
};

// The hub restarts; on its return it claims `claimed_last_seq` (what it kept).
void run_restart(std::uint64_t claimed_last_seq) {
    auto port = test::free_port();
    std::optional<TestHub> hub;
    hub.emplace(port, TestHub::Script{});
    Agent agent(port, 300);
    BOOST_REQUIRE(test::wait_until([&] { return agent.connected(); }, deadline));
    agent.submit(1, 5);
    BOOST_REQUIRE(test::wait_until([&] { return hub->frames().size() >= 6; }, deadline));
    BOOST_TEST(samples_of(*hub) == expect(1, 5, false), boost::test_tools::per_element());

    hub.reset();  // the hub dies
    BOOST_REQUIRE(test::wait_until([&] { return !agent.connected(); }, deadline));
    auto attempts = agent.stats().connect_attempts;
    agent.submit(6, 15);
    // It keeps trying while the hub is away.
    BOOST_REQUIRE(test::wait_until([&] { return agent.stats().connect_attempts >= attempts + 2; }, deadline));

    hub.emplace(port, TestHub::Script{claimed_last_seq});
    const auto backfilled = expect(claimed_last_seq + 1, 15, true);
    BOOST_REQUIRE(test::wait_until([&] { return samples_of(*hub).size() >= backfilled.size(); }, deadline));
    BOOST_REQUIRE(agent.connected());
    agent.submit(16, 18);
    BOOST_REQUIRE(test::wait_until([&] { return samples_of(*hub).size() >= backfilled.size() + 3; }, deadline));
    // One connection writes in order, so a duplicate or a late replay would show up before 18.
    BOOST_TEST(samples_of(*hub) == backfilled + expect(16, 18, false), boost::test_tools::per_element());
    BOOST_TEST(hub->hellos() == 1u);

    auto st = agent.stats();
    BOOST_TEST(st.sent_live == 5u + 3u);
    BOOST_TEST(st.sent_backfill == backfilled.size());
    BOOST_TEST(st.dropped == 0u);
    BOOST_TEST(st.welcomes == 2u);
    BOOST_TEST(st.disconnects == 1u);
    BOOST_TEST(st.buffered == 18u);
    BOOST_TEST(agent.logged("replaying " + std::to_string(backfilled.size()) + " buffered samples"), agent.log_text());
}

}  // namespace

BOOST_AUTO_TEST_CASE(hub_restart_gets_every_missed_sample_once_in_order_then_live) {
    run_restart(5);  // the hub kept all it got
}

BOOST_AUTO_TEST_CASE(hub_that_lost_samples_gets_them_again_from_the_buffer) {
    run_restart(3);  // 4 and 5 were written but the hub lost them; the buffer still has them
}

BOOST_AUTO_TEST_CASE(unreachable_hub_at_start_gets_the_buffered_samples_when_it_appears) {
    auto port = test::free_port();
    Agent agent(port, 300);
    agent.submit(1, 3);
    BOOST_REQUIRE(test::wait_until([&] { return agent.stats().connect_attempts >= 3; }, deadline));
    BOOST_TEST(agent.logged("connect: Connection refused; retrying in"), agent.log_text());
    TestHub hub(port, {});
    BOOST_REQUIRE(test::wait_until([&] { return samples_of(hub).size() >= 3; }, deadline));
    agent.submit(4, 4);
    BOOST_REQUIRE(test::wait_until([&] { return samples_of(hub).size() >= 4; }, deadline));
    BOOST_TEST(samples_of(hub) == expect(1, 3, true) + expect(4, 4, false), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(replay_from_the_packed_buffer_is_byte_exact_across_blocks) {
    // 35 samples span several packed blocks; each replayed frame must be the
    // submitted text with only the backfill mark added.
    auto port = test::free_port();
    Agent agent(port, 300);
    agent.submit(1, 35);
    std::size_t text = 0;
    for (std::uint64_t s = 1; s <= 35; ++s) text += encode_sample(make_sample(s)).size();
    auto st = agent.stats();
    BOOST_TEST(st.buffered == 35u);
    BOOST_TEST(st.buffered_text_bytes == text);
    BOOST_TEST(st.buffered_bytes < text / 4, st.buffered_bytes << " packed of " << text);
    TestHub hub(port, {});
    BOOST_REQUIRE(test::wait_until([&] { return samples_of(hub).size() >= 35; }, deadline));
    auto frames = hub.frames();
    BOOST_REQUIRE_EQUAL(frames.size(), 36u);  // the hello, then the replay
    for (std::uint64_t s = 1; s <= 35; ++s)
        BOOST_TEST(frames[s] == mark_backfill(encode_sample(make_sample(s))).value(), "seq " << s);
}

BOOST_AUTO_TEST_CASE(the_buffer_keeps_the_replay_form_and_live_samples_go_whole) {
    // A sample submitted with its replay form: the hub gets the whole sample
    // live, and the replay form (with the backfill mark) after an outage.
    auto whole = [](std::uint64_t seq) {
        Sample s = make_sample(seq);
        ContainerStats c;
        c.id = c.name = "web-" + std::to_string(seq);
        s.containers = {c};
        s.containers_total = 1;
        return s;
    };
    auto port = test::free_port();
    Agent agent(port, 300);
    auto submit = [&](std::uint64_t seq) {
        BOOST_REQUIRE(agent.call([&] {
            Sample s = whole(seq);
            return agent.client().submit(seq, encode_sample(s), encode_sample(s, SampleDetail::replay));
        }));
    };
    submit(1);
    submit(2);
    TestHub hub(port, {});
    BOOST_REQUIRE(test::wait_until([&] { return samples_of(hub).size() >= 2; }, deadline));
    submit(3);
    BOOST_REQUIRE(test::wait_until([&] { return samples_of(hub).size() >= 3; }, deadline));
    auto frames = hub.frames();
    BOOST_REQUIRE_EQUAL(frames.size(), 4u);  // the hello, two replayed, one live
    for (std::uint64_t s = 1; s <= 2; ++s)
        BOOST_TEST(frames[s] == mark_backfill(encode_sample(whole(s), SampleDetail::replay)).value(), "seq " << s);
    BOOST_TEST(frames[3] == encode_sample(whole(3)));
    BOOST_TEST(frames[3].find("\"web-3\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(full_buffer_drops_the_oldest_unsent_counts_and_logs_them) {
    auto port = test::free_port();
    std::optional<TestHub> hub;
    hub.emplace(port, TestHub::Script{});
    Agent agent(port, 4);
    BOOST_REQUIRE(test::wait_until([&] { return agent.connected(); }, deadline));
    agent.submit(1, 2);
    BOOST_REQUIRE(test::wait_until([&] { return samples_of(*hub).size() >= 2; }, deadline));
    hub.reset();
    BOOST_REQUIRE(test::wait_until([&] { return !agent.connected(); }, deadline));
    // 3..12 while away: 1 and 2 leave first (already sent, no loss), then 3..8 are lost.
    agent.submit(3, 12);
    BOOST_TEST(agent.stats().dropped == 6u);
    BOOST_TEST(agent.stats().buffered == 4u);
    BOOST_TEST(agent.logged("backfill buffer full (4 samples)"), agent.log_text());

    hub.emplace(port, TestHub::Script{2});
    BOOST_REQUIRE(test::wait_until([&] { return samples_of(*hub).size() >= 4; }, deadline));
    BOOST_TEST(samples_of(*hub) == expect(9, 12, true), boost::test_tools::per_element());
    BOOST_TEST(agent.logged("seq 3..8 are no longer buffered"), agent.log_text());
    BOOST_TEST(agent.logged("6 samples were dropped while disconnected"), agent.log_text());
}

BOOST_AUTO_TEST_CASE(replaced_close_4000_is_logged_with_its_reason_and_retried) {
    auto port = test::free_port();
    TestHub hub(port, TestHub::Script{0, 4000, "replaced by a newer connection"});
    Agent agent(port, 10);
    BOOST_REQUIRE(test::wait_until([&] { return hub.hellos() >= 3; }, deadline));
    BOOST_TEST(agent.logged("code 4000 (replaced"), agent.log_text());
    BOOST_TEST(agent.logged("reason 'replaced by a newer connection'; retrying in"), agent.log_text());
    BOOST_TEST(agent.stats().welcomes == 0u);
}

BOOST_AUTO_TEST_CASE(bad_token_close_1008_names_the_token_and_the_hub_error) {
    auto port = test::free_port();
    TestHub hub(port, TestHub::Script{0, 1008, "bad token", encode_error("bad_token", "agent token does not match")});
    Agent agent(port, 10);
    BOOST_REQUIRE(test::wait_until([&] { return hub.hellos() >= 2; }, deadline));
    BOOST_TEST(agent.logged("code 1008 (policy violation"), agent.log_text());
    BOOST_TEST(agent.logged("check --token"), agent.log_text());
    BOOST_TEST(agent.logged("hub error 'bad_token': agent token does not match"), agent.log_text());
}

BOOST_AUTO_TEST_CASE(commands_reach_the_hook_and_send_text_replies) {
    auto port = test::free_port();
    TestHub::Script script;
    script.after_welcome = R"({"type":"command","id":"c-7","op":"renice","args":{"pid":1,"nice":5}})";
    TestHub hub(port, script);
    std::mutex mu;
    std::vector<std::string> commands;
    bool reply_queued = false;
    Agent agent(port, 10, [&](Agent& a, std::string_view frame) {
        bool queued = a.client().send_text(R"({"type":"reply","id":"c-7","ok":true,"result":{"pid":5}})");
        std::lock_guard lock(mu);
        commands.emplace_back(frame);
        reply_queued = queued;
    });
    BOOST_REQUIRE(test::wait_until([&] { return hub.frames().size() >= 2; }, deadline));
    {
        std::lock_guard lock(mu);
        BOOST_REQUIRE(commands.size() == 1u);
        BOOST_TEST(commands[0] == script.after_welcome);
        BOOST_TEST(reply_queued);
    }
    FrameDecoder dec;
    AgentFrame out;
    BOOST_REQUIRE(!dec.decode(hub.frames()[1], out));
    BOOST_TEST((out.kind == FrameKind::reply));
    BOOST_TEST(out.reply.id == "c-7");
    BOOST_TEST(out.reply.result_json == R"({"pid":5})");
}

BOOST_AUTO_TEST_CASE(stop_sends_a_normal_close_and_no_reconnect_follows) {
    auto port = test::free_port();
    TestHub hub(port, {});
    {
        Agent agent(port, 10);
        BOOST_REQUIRE(test::wait_until([&] { return agent.connected(); }, deadline));
    }  // ~Agent stops the client and joins its thread: nothing left to run
    BOOST_REQUIRE(test::wait_until([&] { return !hub.close_codes().empty(); }, deadline));
    BOOST_TEST(hub.close_codes().front() == 1000);
    BOOST_TEST(hub.hellos() == 1u);
}
