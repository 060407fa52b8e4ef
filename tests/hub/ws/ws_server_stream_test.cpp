// The hub's own frame reader (hub/ws/ws_server_stream.hpp) over a real
// loopback TCP connection, fed by a client that controls how the bytes
// arrive: a frame is sent in two parts split at every byte boundary, and the
// second part goes only once the reader has read the first, so every split
// really is a read that ends there. Also: two frames in one read,
// fragmented messages with control frames between the fragments, and
// declared lengths the hub must refuse before reading them.
#define BOOST_TEST_MODULE hub_ws_server_stream
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "hub/ws/ws_server_stream.hpp"
#include "tests/support/ws_client_frames.hpp"

using namespace telehub::hub;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr std::uint8_t fin = 0x80;
constexpr std::array<std::uint8_t, 4> mask{0x37, 0xfa, 0x21, 0x3d};

// A client frame as an agent sends it: masked, the length in its shortest form.
std::string client_frame(std::uint8_t first_byte, std::string_view payload) {
    return telehub::test::masked_client_frame(first_byte, payload, mask);
}

// Only the header of a frame declaring `declared` payload bytes (64-bit form).
std::string header_declaring(std::uint64_t declared) {
    std::string f{static_cast<char>(fin | 0x1), static_cast<char>(0x80 | 127)};
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((declared >> (8 * i)) & 0xff));
    f.append(reinterpret_cast<const char*>(mask.data()), mask.size());
    return f;
}

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
    return s;
}

// What an agent session is to the stream, reduced to a record of what it
// was told; it refuses messages over `limit` as the hub does (close 1009).
struct Owner : std::enable_shared_from_this<Owner> {
    Owner(boost::beast::tcp_stream s, std::uint64_t limit) : ws(std::move(s), *this), limit(limit) {}

    void on_ws_open() { opened = true; }
    bool ws_accepts_size(std::uint64_t total) {
        if (total <= limit) return true;
        ws.close(ws::close_code::too_big, "message too big");
        return false;
    }
    void on_ws_message(std::string_view payload, bool is_binary) { messages.push_back({std::string(payload), is_binary}); }
    void on_ws_bytes_read(std::size_t n) { bytes_read += n; }
    void on_ws_end(std::string reason) { ends.push_back(std::move(reason)); }

    struct Message {
        std::string payload;
        bool binary;
    };
    WsServerStream<boost::beast::tcp_stream, Owner> ws;
    std::uint64_t limit;
    bool opened = false;
    std::vector<Message> messages;
    std::size_t bytes_read = 0;
    std::vector<std::string> ends;
};

// A frame the hub sent (unmasked; control frames and short messages only).
struct HubFrame {
    std::uint8_t opcode;
    std::string payload;
};

// One open WebSocket: the hub's side on an io_context run by this thread,
// the client a plain non-blocking socket.
struct Connection {
    net::io_context ioc;
    tcp::socket client{ioc};
    std::shared_ptr<Owner> owner;
    std::string from_hub;  // read by the client and not yet taken
    std::size_t sent = 0;

    explicit Connection(std::uint64_t limit = 1 << 20) {
        tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
        client.connect(acceptor.local_endpoint());
        owner = std::make_shared<Owner>(boost::beast::tcp_stream(acceptor.accept()), limit);
        client.non_blocking(true);
        owner->ws.accept(telehub::test::agent_upgrade_request());
        BOOST_REQUIRE(run_until([&] { return owner->opened && from_hub.find("\r\n\r\n") != std::string::npos; }));
        BOOST_REQUIRE(from_hub.starts_with("HTTP/1.1 101"));
        from_hub.erase(0, from_hub.find("\r\n\r\n") + 4);
    }

    ~Connection() {
        boost::system::error_code ignored;
        client.close(ignored);
        run_until([&] { return !owner->ends.empty(); }, 2s);
    }

    // Runs the hub's side until `done`, reading what it sends; false at the deadline.
    template <class Done>
    bool run_until(Done done, std::chrono::milliseconds limit = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            read_client();
            if (done()) return true;
            if (std::chrono::steady_clock::now() > deadline) return false;
            ioc.restart();
            ioc.run_one_for(5ms);
            ioc.poll();
        }
    }

    void read_client() {
        char buf[4096];
        boost::system::error_code ec;
        for (;;) {
            const std::size_t n = client.read_some(net::buffer(buf), ec);
            if (ec) return;
            from_hub.append(buf, n);
        }
    }

    void send(std::string_view bytes) {
        // Blocking for the write only: a 70 KB frame may not fit the socket's buffer at once.
        client.non_blocking(false);
        net::write(client, net::buffer(bytes.data(), bytes.size()));
        client.non_blocking(true);
        sent += bytes.size();
    }

    // Sends and waits until the hub's side has read every byte sent so far,
    // so that its last read ended exactly where `bytes` ends.
    void send_and_wait_read(std::string_view bytes) {
        send(bytes);
        BOOST_REQUIRE_MESSAGE(run_until([&] { return owner->bytes_read == sent; }),
                              "the reader took " << owner->bytes_read << " of " << sent << " bytes");
    }

    std::optional<HubFrame> take_frame() {
        if (from_hub.size() < 2) return std::nullopt;
        const auto b0 = static_cast<std::uint8_t>(from_hub[0]);
        std::size_t size = static_cast<std::uint8_t>(from_hub[1]) & 0x7f, at = 2;
        if (size == 126) {
            if (from_hub.size() < 4) return std::nullopt;
            size = (std::size_t{static_cast<std::uint8_t>(from_hub[2])} << 8) | static_cast<std::uint8_t>(from_hub[3]);
            at = 4;
        }
        if (from_hub.size() < at + size) return std::nullopt;
        HubFrame f{static_cast<std::uint8_t>(b0 & 0x0f), from_hub.substr(at, size)};
        from_hub.erase(0, at + size);
        return f;
    }

    HubFrame wait_frame() {
        std::optional<HubFrame> f;
        BOOST_REQUIRE_MESSAGE(run_until([&] { return (f = take_frame()).has_value(); }), "no frame from the hub");
        return *f;
    }
};

std::uint16_t close_code_of(const HubFrame& f) {
    BOOST_REQUIRE_EQUAL(f.opcode, 0x8);
    BOOST_REQUIRE_GE(f.payload.size(), 2u);
    return static_cast<std::uint16_t>((static_cast<std::uint8_t>(f.payload[0]) << 8) | static_cast<std::uint8_t>(f.payload[1]));
}

// Sends `bytes` split at every boundary in `splits` (each a read of its
// own) and checks that the messages come only when complete, as `expected`.
void split_everywhere(Connection& c, const std::string& bytes, const std::vector<Owner::Message>& expected,
                      const std::vector<std::size_t>& splits) {
    for (std::size_t k : splits) {
        BOOST_TEST_CONTEXT("split after byte " << k << " of " << bytes.size()) {
            const std::size_t before = c.owner->messages.size();
            c.send_and_wait_read(std::string_view(bytes).substr(0, k));
            c.send(std::string_view(bytes).substr(k));
            BOOST_REQUIRE(c.run_until([&] { return c.owner->messages.size() >= before + expected.size(); }));
            BOOST_REQUIRE_EQUAL(c.owner->messages.size(), before + expected.size());
            for (std::size_t i = 0; i < expected.size(); ++i) {
                const auto& got = c.owner->messages[before + i];
                // Not BOOST_TEST: a failure would print both 70 KB payloads.
                BOOST_CHECK_MESSAGE(got.payload == expected[i].payload,
                                    "message " << i << " differs: " << got.payload.size() << " bytes, expected "
                                               << expected[i].payload.size());
                BOOST_TEST(got.binary == expected[i].binary);
            }
        }
    }
    BOOST_TEST(c.owner->ends.empty());
}

std::vector<std::size_t> every_split(std::size_t size) {
    std::vector<std::size_t> s;
    for (std::size_t k = 1; k < size; ++k) s.push_back(k);
    return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_frame_split_at_every_byte_boundary_is_one_message_and_only_once_whole) {
    Connection c;
    for (std::size_t n : {0u, 5u, 125u, 126u, 300u}) {
        BOOST_TEST_CONTEXT("payload of " << n << " bytes") {
            const std::string payload = pattern(n);
            const std::string frame = client_frame(fin | 0x1, payload);
            split_everywhere(c, frame, {{payload, false}}, every_split(frame.size()));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_frame_with_a_64_bit_length_split_in_its_header_and_payload_is_one_message) {
    Connection c;
    const std::string payload = pattern(70000);
    const std::string frame = client_frame(fin | 0x2, payload);
    // Every boundary of the 14-byte header and the first payload bytes, then
    // some inside the payload and the last few.
    std::vector<std::size_t> splits = every_split(40);
    for (std::size_t k : {8192u, 8193u, 65535u, 65536u}) splits.push_back(k);
    for (std::size_t k = frame.size() - 5; k < frame.size(); ++k) splits.push_back(k);
    split_everywhere(c, frame, {{payload, true}}, splits);
}

BOOST_AUTO_TEST_CASE(two_frames_split_anywhere_are_two_messages_in_order) {
    Connection c;
    const std::string first = "first", second = pattern(200);
    const std::string bytes = client_frame(fin | 0x1, first) + client_frame(fin | 0x2, second);
    split_everywhere(c, bytes, {{first, false}, {second, true}}, every_split(bytes.size()));
}

BOOST_AUTO_TEST_CASE(a_fragmented_message_with_control_frames_between_is_whole_and_the_ping_answered_at_every_split) {
    Connection c;
    const std::string bytes = client_frame(0x1, "hel") + client_frame(fin | 0x9, "are you there") +
                              client_frame(0x0, "lo, ") + client_frame(fin | 0xA, "unsolicited") +
                              client_frame(fin | 0x0, pattern(130));
    const std::string whole = "hello, " + pattern(130);
    for (std::size_t k : every_split(bytes.size())) {
        BOOST_TEST_CONTEXT("split after byte " << k) {
            split_everywhere(c, bytes, {{whole, false}}, {k});
            const HubFrame pong = c.wait_frame();
            BOOST_TEST(pong.opcode == 0xA);
            BOOST_TEST(pong.payload == "are you there");
            BOOST_CHECK_MESSAGE(c.from_hub.empty(), "nothing but the pong: an unsolicited pong is not answered");
        }
    }
}

BOOST_AUTO_TEST_CASE(a_declared_length_over_the_limit_is_refused_with_1009_before_its_payload_is_read) {
    Connection c;
    // A terabyte announced: refused from the header alone, nothing allocated for it.
    c.send_and_wait_read(header_declaring(std::uint64_t{1} << 40));
    BOOST_TEST(close_code_of(c.wait_frame()) == ws::close_code::too_big);
    // What follows is skipped as the refused payload, not parsed as frames.
    c.send_and_wait_read(client_frame(fin | 0x1, "after the refusal"));
    BOOST_TEST(c.owner->messages.empty());
}

BOOST_AUTO_TEST_CASE(a_fragmented_message_growing_over_the_limit_is_refused_with_1009) {
    Connection c(1000);
    c.send_and_wait_read(client_frame(0x1, pattern(600)));
    BOOST_CHECK_MESSAGE(c.from_hub.empty(), "the first fragment is within the limit");
    c.send_and_wait_read(client_frame(fin | 0x0, pattern(600)));
    BOOST_TEST(close_code_of(c.wait_frame()) == ws::close_code::too_big);
    BOOST_TEST(c.owner->messages.empty());
}

BOOST_AUTO_TEST_CASE(a_length_with_its_top_bit_set_is_a_protocol_error_1002) {
    Connection c;
    c.send_and_wait_read(header_declaring(std::uint64_t{1} << 63));
    const HubFrame close = c.wait_frame();
    BOOST_TEST(close_code_of(close) == ws::close_code::protocol_error);
    BOOST_CHECK_MESSAGE(close.payload.find("payload length over 2^63") != std::string::npos, close.payload);
    BOOST_REQUIRE(!c.owner->ends.empty());
    BOOST_CHECK_MESSAGE(c.owner->ends.front().find("protocol error") != std::string::npos, c.owner->ends.front());
}

// A plain connection reads into a buffer its thread lends for that read
// only: the bytes of a frame the read cut must be kept by the connection
// before another connection's read reuses the buffer, and every read gives
// the buffer back, so that connections waiting for frames hold none.
BOOST_AUTO_TEST_CASE(a_cut_frame_survives_another_connections_read_into_the_same_lent_buffer) {
    Connection a, b;
    const std::size_t idle = ws::ReadScratch::spares_held();  // what earlier cases left on this thread
    const std::string first = pattern(3000), other = std::string(3000, 'x');
    const std::string frame = client_frame(fin | 0x1, first);
    a.send_and_wait_read(std::string_view(frame).substr(0, 1500));
    b.send(client_frame(fin | 0x1, other));
    BOOST_REQUIRE(b.run_until([&] { return b.owner->messages.size() == 1; }));
    a.send(std::string_view(frame).substr(1500));
    BOOST_REQUIRE(a.run_until([&] { return a.owner->messages.size() == 1; }));
    BOOST_CHECK_MESSAGE(a.owner->messages[0].payload == first, "the cut frame's first bytes were overwritten");
    BOOST_TEST(b.owner->messages[0].payload == other);
    for (int i = 0; i < 10; ++i) {
        Connection& c = i % 2 ? a : b;
        const std::size_t before = c.owner->messages.size();
        c.send(client_frame(fin | 0x1, pattern(100 + i)));
        BOOST_REQUIRE(c.run_until([&] { return c.owner->messages.size() == before + 1; }));
    }
    BOOST_TEST(ws::ReadScratch::spares_held() == std::max<std::size_t>(idle, 1));
}
