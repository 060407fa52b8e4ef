// The hub's one background thread as clients meet it. The long REST replies
// (host lists, histories, fleet processes) are built there, at most
// HubContext::max_background_replies queued or in progress; a request past
// that is answered 503 "busy" at once, the queued ones are all answered once
// the thread is free, and the bound frees up with them. A dashboard's
// snapshot, built there too, goes before the queued replies. The hub's
// context and listener run in this process, so the test can hold the
// background thread itself and fill its queue without racing a real load.
#define BOOST_TEST_MODULE long_reply_bound
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include "hub/hub_context.hpp"
#include "hub/net/net.hpp"
#include "tests/support/net.hpp"
#include "tests/support/raw_socket.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/ws_client.hpp"

using namespace telehub::hub;
using telehub::test::RawSocket;
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

const std::string hosts_request = "GET /api/hosts HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

// What arrives on `s` until a whole response (headers and Content-Length
// bytes of body) is in, or `timeout` passes; empty when nothing came.
std::string read_response(RawSocket& s, std::chrono::milliseconds timeout) {
    std::string in;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto end = in.find("\r\n\r\n"); end != std::string::npos) {
            auto at = in.find("Content-Length: ");
            if (at != std::string::npos && at < end &&
                in.size() >= end + 4 + std::stoul(in.substr(at + 16, in.find("\r\n", at) - at - 16)))
                return in;
        }
        if (!s.read_some(in, 50ms) && in.empty()) return in;
    }
    return in;
}

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

// A hub without its server: context, listener and one io thread.
struct InProcessHub {
    telehub::test::TempDir dir{"telehub-long-reply-bound"};
    std::uint16_t port = telehub::test::free_port();
    HubContext ctx{config()};
    net::io_context ioc;
    std::shared_ptr<Listener> listener =
        std::make_shared<Listener>(ioc, net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ctx);
    std::thread io;

    InProcessHub() {
        listener->run();
        io = std::thread([this] { ioc.run(); });
    }
    ~InProcessHub() {
        listener->stop();
        ioc.stop();
        io.join();
        // As the server does at stop: queued work returns at once.
        ctx.stopping = true;
        ctx.background.join();
    }

    HubConfig config() const {
        HubConfig c;
        c.listen_port = port;
        c.persist = false;
        c.web_root = TELEHUB_SOURCE_DIR "/web";
        c.data_dir = dir.str();
        c.log_file = dir.str() + "/hub.log";
        c.audit_log = dir.str() + "/audit.jsonl";
        return c;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(past_the_bound_a_long_reply_is_refused_busy_and_the_queued_ones_are_all_answered) {
    InProcessHub hub;
    // The one background thread waits here until released: every long reply
    // asked for meanwhile stays queued.
    std::promise<void> release;
    auto gate = release.get_future().share();
    hub.ctx.background.post(BackgroundWork::Priority::bulk, [gate] { gate.wait(); });

    const int bound = HubContext::max_background_replies;
    std::vector<RawSocket> queued;
    for (int i = 0; i < bound; ++i) {
        queued.emplace_back(hub.port);
        BOOST_REQUIRE(queued.back().send(hosts_request));
    }
    BOOST_REQUIRE_MESSAGE(telehub::test::wait_until([&] { return hub.ctx.background_replies.load() == bound; }, 10s),
                          "the hub counts " << hub.ctx.background_replies.load() << " long replies, not " << bound);

    RawSocket over(hub.port);
    BOOST_REQUIRE(over.send(hosts_request));
    const auto refused = read_response(over, 10s);
    BOOST_TEST(status_line(refused) == "HTTP/1.1 503 Service Unavailable");
    BOOST_TEST(refused.find("\"busy\"") != std::string::npos, refused);
    BOOST_TEST(hub.ctx.background_replies.load() == bound);  // the refused one was not counted

    // Still queued: nothing has been answered while the thread is held.
    std::string early;
    queued.front().read_some(early, 200ms);
    BOOST_TEST(early.empty(), early);

    release.set_value();
    for (auto& s : queued) {
        const auto r = read_response(s, 10s);
        BOOST_TEST(status_line(r) == "HTTP/1.1 200 OK");
    }
    BOOST_TEST(telehub::test::wait_until([&] { return hub.ctx.background_replies.load() == 0; }, 10s));

    // The bound freed up: the refused client may ask again on its connection.
    BOOST_REQUIRE(over.send(hosts_request));
    BOOST_TEST(status_line(read_response(over, 10s)) == "HTTP/1.1 200 OK");
}

// A dashboard opened while scripts' long replies are queued gets its snapshot
// next, not after them: snapshots are interactive work, replies bulk.
BOOST_AUTO_TEST_CASE(a_dashboard_snapshot_is_built_before_queued_long_replies) {
    InProcessHub hub;
    std::promise<void> release;
    auto gate = release.get_future().share();
    hub.ctx.background.post(BackgroundWork::Priority::bulk, [gate] { gate.wait(); });

    std::vector<RawSocket> scripts;
    for (int i = 0; i < 3; ++i) {
        scripts.emplace_back(hub.port);
        BOOST_REQUIRE(scripts.back().send(hosts_request));
    }
    BOOST_REQUIRE(telehub::test::wait_until(
        [&] { return hub.ctx.background.queued(BackgroundWork::Priority::bulk) == 3; }, 10s));

    telehub::test::WsClient dashboard(hub.port, "/ws/live");
    BOOST_REQUIRE_MESSAGE(telehub::test::wait_until(
                              [&] { return hub.ctx.background.queued(BackgroundWork::Priority::interactive) == 1; }, 10s),
                          "the dashboard's snapshot was not queued as interactive work");
    BOOST_TEST(hub.ctx.background.queued(BackgroundWork::Priority::bulk) == 3u);

    release.set_value();
    auto first = dashboard.read(10s);
    BOOST_REQUIRE(first);
    BOOST_TEST(first->find("\"type\":\"snapshot\"") != std::string::npos, first->substr(0, 200));
    for (auto& s : scripts) BOOST_TEST(status_line(read_response(s, 10s)) == "HTTP/1.1 200 OK");
}
