// The real agent against a hub that welcomes it and then never reads: the
// agent's send queue is bounded (--buffer + 64 frames), so it gives the
// connection up, reconnects, and its memory stays flat however long the hub
// stalls. The stand-in hub is a bare socket in this test with a small
// receive buffer, so the kernel soaks up little.
#define BOOST_TEST_MODULE agent_stalled_hub
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "telehub/codec.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/proc_usage.hpp"
#include "tests/support/wait.hpp"

using namespace telehub::test;
using namespace std::chrono_literals;

namespace {

std::string websocket_accept(const std::string& key) {
    const std::string text = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    unsigned char b64[64];
    int n = EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
}

// Reads from `fd` until `done(buffer)` or 5 s pass.
template <class Done>
bool read_until(int fd, std::string& buffer, Done done) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done(buffer)) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        char buf[4096];
        auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return false;
        buffer.append(buf, static_cast<std::size_t>(n));
    }
    return true;
}

// True once `b` holds one whole client frame (header, mask key, payload).
bool whole_frame(const std::string& b) {
    if (b.size() < 2) return false;
    std::size_t len = static_cast<unsigned char>(b[1]) & 0x7f, at = 2;
    if (len == 126) {
        if (b.size() < 4) return false;
        len = (std::size_t(static_cast<unsigned char>(b[2])) << 8) | static_cast<unsigned char>(b[3]);
        at = 4;
    } else if (len == 127) {
        return b.size() >= 10;  // a hello is never that long; enough to stop reading
    }
    return b.size() >= at + 4 + len;
}

// Accepts agents: upgrade, hello, welcome; then holds each socket unread.
class StalledHub {
public:
    StalledHub() {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int small = 4096;  // inherited by accepted sockets: the kernel holds little of the agent's stream
        ::setsockopt(listen_fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        // Loopback's 64 KiB segments would let the agent's kernel grow its
        // send buffer to megabytes; small segments keep it to tens of kB.
        int segment = 1000;
        ::setsockopt(listen_fd_, IPPROTO_TCP, TCP_MAXSEG, &segment, sizeof segment);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 8) != 0 ||
            ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("stalled hub cannot listen");
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~StalledHub() {
        stop_ = true;
        thread_.join();
        ::close(listen_fd_);
        for (int fd : held_) ::close(fd);
    }
    std::uint16_t port() const { return port_; }
    int welcomed() const { return welcomed_; }

private:
    void run() {
        while (!stop_) {
            pollfd p{listen_fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            held_.push_back(fd);
            std::string in;
            if (!read_until(fd, in, [](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; }))
                continue;
            auto k = in.find("Sec-WebSocket-Key: ");
            if (k == std::string::npos) continue;
            auto key = in.substr(k + 19, in.find("\r\n", k) - k - 19);
            const std::string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                         "Sec-WebSocket-Accept: " + websocket_accept(key) + "\r\n\r\n";
            in.clear();
            if (::send(fd, response.data(), response.size(), MSG_NOSIGNAL) < 0) continue;
            if (!read_until(fd, in, whole_frame)) continue;  // the hello (masked: its length is all we look at)
            const std::string welcome =
                R"({"type":"welcome","protocol":)" + std::to_string(telehub::protocol_version) + R"(,"last_seq":0})";
            std::string frame{static_cast<char>(0x81), static_cast<char>(welcome.size())};
            frame += welcome;
            if (::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL) < 0) continue;
            ++welcomed_;  // and from here on, nothing more is read from fd
        }
    }

    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> welcomed_{0};
    std::vector<int> held_;
    std::thread thread_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_hub_that_never_reads_gets_its_connection_dropped_and_the_agent_stays_bounded) {
    StalledHub hub;
    ChildProcess agent({TELEHUB_BINARY_DIR "/agent/telehub-agent", "--hub",
                        "ws://127.0.0.1:" + std::to_string(hub.port()) + "/ws/agent", "--host-id", "stalled-test",
                        "--interval", "0.05", "--buffer", "20", "--top", "20"});
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return hub.welcomed() >= 1; }, 10s), agent.output());
    const auto rss_start = rss_kb(agent.pid());
    // The queue fills (20 + 64 frames past what the sockets hold), the agent
    // gives up on the connection and comes back: twice, to see it repeat. A
    // cycle takes ~6 s here; filling the queue is slower when /proc reads are
    // (a loaded machine), hence the generous deadline.
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return hub.welcomed() >= 3; }, 40s, 100ms), agent.output());
    BOOST_TEST(agent.output().find("the hub is not reading") != std::string::npos, agent.output());
    const auto rss_end = rss_kb(agent.pid());
    std::printf("agent against a stalled hub: RSS %.1f MB after the first welcome, %.1f MB after the third\n",
                rss_start / 1024.0, rss_end / 1024.0);
    // Not a tight bound: the first cycles warm the allocator (measured 7.7 MB
    // at the first welcome, 10.3-14.5 MB at the third, flat near 16 MB from the
    // fifth to the eighth), so a 4 MB bound failed on a loaded machine. An
    // unbounded queue fails the reconnect check above in any case.
    BOOST_TEST(rss_end < rss_start + 12 * 1024, "agent RSS " << rss_start << " kB -> " << rss_end << " kB");
    BOOST_TEST(agent.running());
}
