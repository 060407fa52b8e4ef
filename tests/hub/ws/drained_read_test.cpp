// hub/ws/drained_read.hpp over a real loopback TCP connection: what its read
// tells Asio's reactor (drained when the kernel says nothing is left, so the
// next read waits for epoll instead of trying recv first; not drained when a
// FIN waits behind the bytes), and that reads through the reactor
// still deliver every byte in order, end at EOF, can be cancelled, and are
// freed with the io_context.
#define BOOST_TEST_MODULE hub_ws_drained_read
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <poll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "hub/ws/drained_read.hpp"

namespace net = boost::asio;
namespace ad = boost::asio::detail;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using telehub::hub::ws::async_read_drained;
using telehub::hub::ws::prepare_drained_reads;

namespace {

struct Connection {
    net::io_context ioc;
    tcp::socket server{ioc};
    tcp::socket client{ioc};

    explicit Connection(bool prepared = true) {
        tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
        client.connect(acceptor.local_endpoint());
        acceptor.accept(server);
        server.non_blocking(true);
        if (prepared) prepare_drained_reads(server);
    }

    void send(const std::string& bytes) { net::write(client, net::buffer(bytes)); }

    // Waits until the server's socket has bytes (or EOF) to read.
    void wait_readable() { wait_for(POLLIN, "nothing to read"); }
    // Waits until the client's FIN has reached the server's socket.
    void wait_peer_shutdown() { wait_for(POLLRDHUP, "no FIN"); }

    void wait_for(short events, const char* what) {
        pollfd p{server.native_handle(), events, 0};
        BOOST_REQUIRE_MESSAGE(::poll(&p, 1, 5000) == 1 && (p.revents & events), what << " within 5 s");
    }
};

// The read operation itself, outside the reactor: what perform() reports.
struct Performed {
    ad::reactor_op::status status;
    boost::system::error_code ec;
    std::string bytes;
};

Performed perform_once(tcp::socket& socket, std::size_t buffer_size) {
    auto handler = [](boost::system::error_code, std::size_t) {};
    using Op = telehub::hub::ws::drained_detail::ReadOp<decltype(handler), tcp::socket::executor_type,
                                                         telehub::hub::ws::FixedReadTarget>;
    std::string buffer(buffer_size, '\0');
    typename Op::ptr p = {std::addressof(handler), Op::ptr::allocate(handler), nullptr};
    p.p = new (p.v) Op(socket.native_handle(), {net::buffer(buffer)}, handler, socket.get_executor());
    Performed out{p.p->perform(), p.p->ec_, buffer.substr(0, p.p->bytes_transferred_)};
    p.p->destroy();  // frees the op without calling the handler
    p.v = p.p = nullptr;
    return out;
}

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
    return s;
}

// Runs the io_context until `done` or the deadline.
template <class Pred>
bool run_until(net::io_context& ioc, Pred done, std::chrono::seconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        ioc.run_for(10ms);
        ioc.restart();
    }
    return done();
}

// Reads until an error, appending what each read brings.
struct ReadLoop {
    tcp::socket& socket;
    ad::reactor& reactor;
    std::string received;
    std::optional<boost::system::error_code> ended;
    std::string buffer = std::string(4096, '\0');

    explicit ReadLoop(tcp::socket& s) : socket(s), reactor(prepare_drained_reads(s)) { next(); }

    void next() {
        async_read_drained(socket, reactor, net::buffer(buffer), [this](boost::system::error_code ec, std::size_t n) {
            if (ec) {
                ended = ec;
                return;
            }
            received.append(buffer.data(), n);
            next();
        });
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_read_that_leaves_nothing_queued_reports_the_socket_drained) {
    Connection c;
    c.send(pattern(100));
    c.wait_readable();
    const auto r = perform_once(c.server, 1000);
    // Asio's own receive reports `done` here, and the reactor then tries the next read at once.
    BOOST_TEST(r.status == ad::reactor_op::done_and_exhausted);
    BOOST_TEST(!r.ec);
    BOOST_TEST(r.bytes == pattern(100));
}

BOOST_AUTO_TEST_CASE(a_read_that_leaves_bytes_queued_does_not) {
    Connection c;
    const std::string sent = pattern(1000);
    c.send(sent);
    c.wait_readable();
    const auto first = perform_once(c.server, 500);
    BOOST_TEST(first.status == ad::reactor_op::done);
    BOOST_TEST(first.bytes == sent.substr(0, 500));
    // A full buffer that took the last byte is drained too: the count says so.
    const auto second = perform_once(c.server, 500);
    BOOST_TEST(second.status == ad::reactor_op::done_and_exhausted);
    BOOST_TEST(second.bytes == sent.substr(500));
    // Nothing left: the op waits (EAGAIN), it does not complete.
    const auto third = perform_once(c.server, 500);
    BOOST_TEST(third.status == ad::reactor_op::not_done);
}

// The kernel stops a read at a FIN and reports the end only on the next one;
// no new epoll edge comes for a FIN that was already queued, so that read
// must not be taken for drained (it would wait for the end forever).
BOOST_AUTO_TEST_CASE(a_read_that_stops_at_the_peers_fin_is_not_drained) {
    Connection c;
    c.send(pattern(100));
    c.client.shutdown(tcp::socket::shutdown_send);
    c.wait_peer_shutdown();
    const auto data = perform_once(c.server, 1000);
    BOOST_TEST(data.bytes == pattern(100));
    BOOST_TEST(data.status == ad::reactor_op::done);
    const auto end = perform_once(c.server, 1000);
    BOOST_TEST(end.status == ad::reactor_op::done_and_exhausted);
    BOOST_TEST(end.ec == net::error::eof);
    BOOST_TEST(end.bytes.empty());
}

BOOST_AUTO_TEST_CASE(without_the_kernels_count_a_read_is_never_taken_for_drained) {
    Connection c(false);
    c.send(pattern(100));
    c.wait_readable();
    const auto r = perform_once(c.server, 1000);
    BOOST_TEST(r.bytes == pattern(100));
    BOOST_TEST(r.status == ad::reactor_op::done);
}

// The peer writes in pieces of awkward sizes, each only once the reader has
// taken everything before it, so nearly every read is short and the next
// one must be woken by epoll: every byte arrives, in order, then EOF.
BOOST_AUTO_TEST_CASE(reads_through_the_reactor_deliver_every_byte_then_eof) {
    Connection c;
    const std::string sent = pattern(70'000);
    ReadLoop loop(c.server);
    auto& received = loop.received;
    auto& ended = loop.ended;

    std::size_t offset = 0;
    std::size_t piece = 1;
    while (offset < sent.size()) {
        const std::size_t n = std::min(piece, sent.size() - offset);
        c.send(sent.substr(offset, n));
        offset += n;
        BOOST_REQUIRE_MESSAGE(run_until(c.ioc, [&] { return received.size() == offset || ended; }),
                              "the reader did not get byte " << offset << " within 10 s");
        piece = piece * 3 % 9001 + 1;  // 1, 4, 13, 40, ... up past the buffer's size and back down
    }
    c.client.shutdown(tcp::socket::shutdown_send);
    BOOST_REQUIRE(run_until(c.ioc, [&] { return ended.has_value(); }));
    BOOST_TEST(*ended == net::error::eof);
    BOOST_TEST(received == sent);
}

// The bytes and the FIN arrive together while a read waits: one epoll edge
// for both, so the read that takes the bytes must leave the next one to try
// at once, or the end would never be seen.
BOOST_AUTO_TEST_CASE(bytes_and_fin_arriving_together_end_in_eof_through_the_reactor) {
    Connection c;
    ReadLoop loop(c.server);
    auto& received = loop.received;
    auto& ended = loop.ended;
    c.ioc.poll();  // the read finds nothing and waits for epoll
    BOOST_REQUIRE(received.empty() && !ended);
    c.send(pattern(300));
    c.client.shutdown(tcp::socket::shutdown_send);
    c.wait_peer_shutdown();
    BOOST_REQUIRE_MESSAGE(run_until(c.ioc, [&] { return ended.has_value(); }, 5s), "no end within 5 s");
    BOOST_TEST(*ended == net::error::eof);
    BOOST_TEST(received == pattern(300));
}

BOOST_AUTO_TEST_CASE(cancel_completes_a_pending_read_with_operation_aborted) {
    Connection c;
    std::string buffer(100, '\0');
    std::optional<boost::system::error_code> result;
    async_read_drained(c.server, prepare_drained_reads(c.server), net::buffer(buffer),
                       [&](boost::system::error_code ec, std::size_t) { result = ec; });
    c.ioc.poll();
    BOOST_TEST(!result.has_value());
    c.server.cancel();
    BOOST_REQUIRE(run_until(c.ioc, [&] { return result.has_value(); }));
    BOOST_TEST(*result == net::error::operation_aborted);
}

BOOST_AUTO_TEST_CASE(a_closed_socket_fails_the_read_instead_of_queueing_it) {
    Connection c;
    auto& reactor = prepare_drained_reads(c.server);
    c.server.close();
    std::string buffer(100, '\0');
    std::optional<boost::system::error_code> result;
    async_read_drained(c.server, reactor, net::buffer(buffer),
                       [&](boost::system::error_code ec, std::size_t) { result = ec; });
    BOOST_REQUIRE(run_until(c.ioc, [&] { return result.has_value(); }));
    BOOST_TEST(*result == net::error::bad_descriptor);
}

BOOST_AUTO_TEST_CASE(a_pending_read_is_freed_uncalled_when_its_io_context_goes) {
    std::weak_ptr<int> kept;
    bool called = false;
    {
        Connection c;
        auto token = std::make_shared<int>(7);
        kept = token;
        std::string buffer(100, '\0');
        async_read_drained(c.server, prepare_drained_reads(c.server), net::buffer(buffer),
                           [token, &called](boost::system::error_code, std::size_t) { called = true; });
        token.reset();
        c.ioc.poll();
        BOOST_TEST(!kept.expired());  // the pending read holds its handler
    }
    BOOST_TEST(kept.expired());
    BOOST_TEST(!called);
}

// A target that lends a buffer only for the read in progress, as the hub's
// agent connections do, and counts what it lent and got back.
struct LendingTarget {
    struct Counts {
        int lent = 0;
        int returned = 0;
        bool holding = false;
        std::string buffer = std::string(4096, '\0');
    };
    Counts* counts;

    net::mutable_buffer begin_read() const {
        if (!counts->holding) {
            counts->holding = true;
            ++counts->lent;
        }
        return net::buffer(counts->buffer);
    }
    void abandon_read() const {
        if (counts->holding) ++counts->returned;
        counts->holding = false;
    }
};

BOOST_AUTO_TEST_CASE(a_lent_buffer_is_held_only_while_bytes_are_read_into_it) {
    Connection c;
    auto& reactor = prepare_drained_reads(c.server);
    LendingTarget::Counts counts;
    std::optional<boost::system::error_code> ec;
    std::size_t got = 0;
    auto start = [&] {
        ec.reset();
        async_read_drained(c.server, reactor, LendingTarget{&counts}, [&](boost::system::error_code e, std::size_t n) {
            ec = e;
            got = n;
        });
    };
    // Nothing to read: whatever the reactor tried (a first read is tried at
    // once) found the socket empty and gave the buffer back.
    start();
    for (int i = 0; i < 5; ++i) {
        c.ioc.restart();
        c.ioc.poll();
    }
    BOOST_TEST(!ec.has_value());
    BOOST_TEST(!counts.holding);
    BOOST_TEST(counts.lent == counts.returned);

    c.send("hello");
    BOOST_REQUIRE(run_until(c.ioc, [&] { return ec.has_value(); }));
    BOOST_TEST(!*ec);
    BOOST_REQUIRE(got == 5u);
    BOOST_TEST(counts.buffer.substr(0, 5) == "hello");
    BOOST_TEST(counts.holding);  // the bytes are in it: the reader gives it back when done with them
    BOOST_TEST(counts.lent == counts.returned + 1);
    counts.holding = false;
    ++counts.returned;

    // The end of the stream brings no bytes: the buffer goes back.
    start();
    c.client.shutdown(tcp::socket::shutdown_send);
    BOOST_REQUIRE(run_until(c.ioc, [&] { return ec.has_value(); }));
    BOOST_TEST((*ec == net::error::eof));
    BOOST_TEST(!counts.holding);
    BOOST_TEST(counts.lent == counts.returned);
}
