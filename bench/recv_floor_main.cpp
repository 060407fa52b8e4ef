// recv-floor: what the kernel alone charges a receiver per frame, under the
// hub bench's load shape: N loopback connections each sending one 4 KB frame
// a second, spread evenly, and a receiver on one thread that handles what is
// ready every 10 ms (the hub's `--io-batch-ms` default) with one receive per
// frame, as the hub's drained reads do. No WebSocket, no parse: below
// telehub-hub-floor (Beast), which is the floor of a hub on Beast, this is the
// floor of any hub on these sockets (issue #22, docs/benchmarks.md).
//
//   recv-floor [--connections 10000] [--window 10] [--settle 3]
//
// The receiver waits with epoll (edge-triggered, as Asio's reactor) and
// receives with one recv per ready connection. The sender is a child
// process; only the receiver's CPU (getrusage) over the window is reported.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench_flags.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t frame_bytes = 4000;
constexpr auto batch_period = std::chrono::milliseconds(10);

double process_cpu_s() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

[[noreturn]] void die(const char* what) {
    std::perror(what);
    _exit(1);
}

// The child: N connections, frame k to connection k % N at k / N seconds.
[[noreturn]] void send_frames(std::uint16_t port, std::size_t connections) {
    std::vector<int> fds;
    for (std::size_t i = 0; i < connections; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("recv-floor: connect");
        fds.push_back(fd);
    }
    const std::string frame(frame_bytes, 'x');
    const auto start = Clock::now();
    for (std::uint64_t k = 0;; ++k) {
        std::this_thread::sleep_until(start + std::chrono::microseconds(k * 1'000'000 / connections));
        if (send(fds[k % connections], frame.data(), frame.size(), MSG_NOSIGNAL) < 0) _exit(0);
    }
}

// Counts bytes received and the CPU spent from the end of the settle time.
struct Window {
    Clock::time_point settle_end, end;
    std::uint64_t bytes = 0, bytes_at_start = 0;
    double cpu_at_start = 0;
    bool started = false;

    bool running() {
        const auto now = Clock::now();
        if (!started && now >= settle_end) {
            started = true;
            bytes_at_start = bytes;
            cpu_at_start = process_cpu_s();
        }
        return now < end;
    }
};

void receive_epoll(const std::vector<int>& conns, Window& w) {
    const int ep = epoll_create1(0);
    for (int fd : conns) {
        fcntl(fd, F_SETFL, O_NONBLOCK);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLET;
        ev.data.fd = fd;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) die("recv-floor: epoll_ctl");
    }
    std::vector<epoll_event> ready(1024);
    std::vector<char> buffer(65536);
    for (auto next = Clock::now(); w.running();) {
        std::this_thread::sleep_until(next += batch_period);
        for (;;) {
            const int n = epoll_wait(ep, ready.data(), static_cast<int>(ready.size()), 0);
            for (int i = 0; i < n; ++i) {
                const auto got = recv(ready[i].data.fd, buffer.data(), buffer.size(), 0);
                if (got > 0) w.bytes += static_cast<std::uint64_t>(got);
            }
            if (n < static_cast<int>(ready.size())) break;
        }
    }
    close(ep);
}


}  // namespace

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    std::size_t connections = 10000;
    int window_s = 10, settle_s = 3;
    po::options_description opts("recv-floor: the kernel's receive cost per 4 KB frame at 1 frame/s per connection\nOptions");
    opts.add_options()("help,h", "show this help and exit")(
        "connections", po::value(&connections), "connections, each sending one frame a second")(
        "window", po::value(&window_s), "measured seconds")("settle", po::value(&settle_s), "seconds before the window");
    if (auto status = telehub::bench::parse_flags(argc, argv, opts, "recv-floor")) return *status;
    if (connections == 0) {
        std::fprintf(stderr, "recv-floor: --connections must be at least 1\n");
        return 2;
    }
    // Both ends of every connection are open at once, in two processes.
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof a;
    if (bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&a), &size) != 0 || listen(listener, 4096) != 0)
        die("recv-floor: listen on 127.0.0.1");
    const pid_t sender = fork();
    if (sender < 0) die("recv-floor: fork");
    if (sender == 0) send_frames(ntohs(a.sin_port), connections);
    std::vector<int> conns;
    for (std::size_t i = 0; i < connections; ++i) {
        const int fd = accept(listener, nullptr, nullptr);
        if (fd < 0) die("recv-floor: accept");
        conns.push_back(fd);
    }
    Window w;
    w.settle_end = Clock::now() + std::chrono::seconds(settle_s);
    w.end = w.settle_end + std::chrono::seconds(window_s);
    receive_epoll(conns, w);
    const double cpu = process_cpu_s() - w.cpu_at_start;
    const double frames = static_cast<double>(w.bytes - w.bytes_at_start) / frame_bytes;
    std::printf("recv-floor: %zu connections: %.0f frames/s received, CPU %.1f%%, %.2f us per frame\n", connections, frames / window_s, 100 * cpu / window_s, 1e6 * cpu / frames);
    kill(sender, SIGKILL);
    waitpid(sender, nullptr, 0);
    for (int fd : conns) close(fd);
    close(listener);
    return 0;
}
