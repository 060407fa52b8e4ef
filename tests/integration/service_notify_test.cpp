// The hub under systemd's Type=notify (issue 18): with NOTIFY_SOCKET pointed
// at a datagram socket this test holds, READY=1 comes only once the port
// accepts connections, WATCHDOG=1 keeps coming at half of WATCHDOG_USEC
// (systemd's WatchdogSec=) while the io loop runs, a SIGHUP is framed by
// RELOADING=1 and READY=1, and SIGTERM says STOPPING=1; a refused reload is
// named in STATUS=. Real hub on loopback; the socket file and the hub are
// removed/stopped here.
#define BOOST_TEST_MODULE service_notify
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"
#include "tests/integration/hub_harness.hpp"

using namespace telehub::test;
using Clock = std::chrono::steady_clock;

namespace {

// The supervisor's end: an AF_UNIX datagram socket at a temp path.
struct NotifySocket {
    std::string path = (std::filesystem::temp_directory_path() /
                        ("telehub-notify-" + std::to_string(::getpid()) + ".sock")).string();
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    NotifySocket() {
        ::unlink(path.c_str());
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        path.copy(a.sun_path, sizeof a.sun_path - 1);
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("cannot bind " + path);
    }
    ~NotifySocket() {
        ::close(fd);
        ::unlink(path.c_str());
    }
    // One datagram, or nullopt when none came within `timeout`.
    std::optional<std::string> next(std::chrono::milliseconds timeout) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
        char buf[4096];
        auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0) return std::nullopt;
        return std::string(buf, static_cast<std::size_t>(n));
    }
    // Datagrams until one contains `what` (returned) or `timeout` passes.
    std::optional<std::string> until(const std::string& what, std::chrono::milliseconds timeout) {
        auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            auto m = next(left);
            if (m && m->find(what) != std::string::npos) return m;
        }
        return std::nullopt;
    }
};

bool port_accepts(std::uint16_t port) { return http_get(port, "/healthz").status == 200; }

}  // namespace

BOOST_AUTO_TEST_CASE(ready_after_listening_then_watchdog_reload_and_stopping) {
    NotifySocket sock;
    const auto port = free_port();
    constexpr auto watchdog_usec = 400000;  // WatchdogSec=0.4s: pings every 200 ms
    ::setenv("NOTIFY_SOCKET", sock.path.c_str(), 1);
    ::setenv("WATCHDOG_USEC", std::to_string(watchdog_usec).c_str(), 1);
    TempDir data("telehub-notify-data");
    ChildProcess hub({hub_binary, "--listen", "127.0.0.1:" + std::to_string(port), "--data-dir", data.str()});
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");

    // The first message is READY=1, and when it arrives the port is open.
    auto first = sock.next(10s);
    BOOST_REQUIRE_MESSAGE(first, "no notification from the hub: " << hub.output());
    BOOST_TEST(first->find("READY=1") != std::string::npos, "first notification: " << *first);
    BOOST_TEST(port_accepts(port), "READY=1 came before the hub accepted connections");
    BOOST_TEST(first->find("STATUS=") != std::string::npos);

    // WATCHDOG=1 at half the interval: never a gap systemd would punish.
    std::vector<Clock::time_point> pings;
    auto window_end = Clock::now() + 1500ms;
    while (Clock::now() < window_end) {
        auto m = sock.next(500ms);
        if (m && *m == "WATCHDOG=1") pings.push_back(Clock::now());
    }
    BOOST_TEST_MESSAGE("watchdog pings in 1.5 s: " << pings.size());
    BOOST_TEST(pings.size() >= 4u);   // ~7 expected at 200 ms
    BOOST_TEST(pings.size() <= 12u);  // not a busy loop either
    for (std::size_t i = 1; i < pings.size(); ++i) {
        auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(pings[i] - pings[i - 1]).count();
        BOOST_TEST(gap < watchdog_usec / 1000, "a " << gap << " ms gap between WATCHDOG=1");
    }

    // A reload is framed for systemd; the watchdog keeps going after it.
    ::kill(hub.pid(), SIGHUP);
    BOOST_TEST(sock.until("RELOADING=1", 5s).has_value());
    BOOST_TEST(sock.until("READY=1", 5s).has_value());
    BOOST_TEST(sock.until("WATCHDOG=1", 2s).has_value());

    ::kill(hub.pid(), SIGTERM);
    BOOST_TEST(sock.until("STOPPING=1", 5s).has_value());
    auto status = hub.wait(10s);
    BOOST_REQUIRE(status);
    BOOST_TEST(WIFEXITED(*status));
    BOOST_TEST(WEXITSTATUS(*status) == 0);
}

BOOST_AUTO_TEST_CASE(no_watchdog_pings_unless_asked) {
    NotifySocket sock;
    const auto port = free_port();
    ::setenv("NOTIFY_SOCKET", sock.path.c_str(), 1);
    TempDir data("telehub-notify-data");
    ChildProcess hub({hub_binary, "--listen", "127.0.0.1:" + std::to_string(port), "--data-dir", data.str()});
    ::unsetenv("NOTIFY_SOCKET");
    BOOST_REQUIRE(sock.until("READY=1", 10s).has_value());
    BOOST_TEST(!sock.until("WATCHDOG=1", 600ms).has_value());
}

// A reload the hub refuses must not read as a success in `systemctl status`:
// the READY=1 after it carries STATUS= naming what failed, until a reload
// that works. A working reload that changes a restart-only key names it.
BOOST_AUTO_TEST_CASE(a_failed_reload_shows_in_status_until_one_works) {
    NotifySocket sock;
    const auto port = free_port();
    TempDir data("telehub-notify-data");
    const auto config = data.path / "hub.toml";
    auto write = [&](const std::string& text) { std::ofstream(config) << text; };
    write("high_cpu = 80\n");
    ::setenv("NOTIFY_SOCKET", sock.path.c_str(), 1);
    ChildProcess hub({hub_binary, "--listen", "127.0.0.1:" + std::to_string(port), "--data-dir", data.str(),
                      "--config", config.string()});
    ::unsetenv("NOTIFY_SOCKET");
    BOOST_REQUIRE_MESSAGE(sock.until("READY=1", 10s), hub.output());

    write("high_cpu = 80\nthreads = 0\n");
    ::kill(hub.pid(), SIGHUP);
    BOOST_REQUIRE(sock.until("RELOADING=1", 5s));
    auto failed = sock.until("READY=1", 5s);
    BOOST_REQUIRE(failed);
    BOOST_TEST(failed->find("STATUS=last reload failed") != std::string::npos, *failed);
    BOOST_TEST(failed->find("hub.toml:2") != std::string::npos, *failed);
    BOOST_TEST(failed->find("threads") != std::string::npos, *failed);

    write("high_cpu = 70\nthreads = 2\n");
    ::kill(hub.pid(), SIGHUP);
    BOOST_REQUIRE(sock.until("RELOADING=1", 5s));
    auto working = sock.until("READY=1", 5s);
    BOOST_REQUIRE(working);
    BOOST_TEST(working->find("failed") == std::string::npos, *working);
    BOOST_TEST(working->find("STATUS=serving") != std::string::npos, *working);
    BOOST_TEST(wait_until([&] { return hub.output().find("applied only at the next restart: threads (") != std::string::npos; }, 5s),
               hub.output());
    ::kill(hub.pid(), SIGTERM);
    BOOST_TEST(hub.wait(10s).has_value());
}
