// recv-floor: what the kernel alone charges a receiver per frame, under the
// hub bench's load shape: N loopback connections each sending one 4 KB frame
// a second, spread evenly, and a receiver on one thread that handles what is
// ready every 10 ms (the hub's `--io-batch-ms` default) with one receive per
// frame, as the hub's drained reads do. No WebSocket, no parse: below
// telehub-hub-floor (Beast), which is the floor of a hub on Beast, this is the
// floor of any hub on these sockets (issue #22, docs/benchmarks.md).
//
//   recv-floor [--mode epoll|uring] [--connections 10000] [--window 10]
//
// `uring` (built when liburing is found) receives with io_uring multishot
// receives into a provided-buffer ring, the ring set up with
// DEFER_TASKRUN: the receives run in the one io_uring_enter of each batch,
// with no system call per frame. The sender is a child process; only the
// receiver's CPU (getrusage) over the window is reported.
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

#ifdef TELEHUB_HAVE_LIBURING
#include <liburing.h>
#include <sys/mman.h>
#endif

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

#ifdef TELEHUB_HAVE_LIBURING
void receive_uring(const std::vector<int>& conns, Window& w) {
    io_uring ring{};
    io_uring_params params{};
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
    params.cq_entries = 65536;
    if (const int e = io_uring_queue_init_params(4096, &ring, &params); e < 0) {
        errno = -e;
        die("recv-floor: io_uring_queue_init_params");
    }
    constexpr unsigned buffers = 4096, buffer_bytes = 8192;
    auto* slots = static_cast<io_uring_buf_ring*>(mmap(nullptr, buffers * sizeof(io_uring_buf), PROT_READ | PROT_WRITE,
                                                      MAP_ANONYMOUS | MAP_PRIVATE, -1, 0));
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<unsigned long>(slots);
    reg.ring_entries = buffers;
    if (const int e = io_uring_register_buf_ring(&ring, &reg, 0); e < 0) {
        errno = -e;
        die("recv-floor: io_uring_register_buf_ring");
    }
    io_uring_buf_ring_init(slots);
    std::vector<char> pool(std::size_t{buffers} * buffer_bytes);
    const int mask = io_uring_buf_ring_mask(buffers);
    auto give = [&](unsigned id, int offset) {
        io_uring_buf_ring_add(slots, pool.data() + std::size_t{id} * buffer_bytes, buffer_bytes,
                              static_cast<unsigned short>(id), mask, offset);
    };
    for (unsigned i = 0; i < buffers; ++i) give(i, static_cast<int>(i));
    io_uring_buf_ring_advance(slots, buffers);
    auto arm = [&](int fd) {
        io_uring_sqe* sqe = io_uring_get_sqe(&ring);
        if (!sqe) {
            io_uring_submit(&ring);
            sqe = io_uring_get_sqe(&ring);
        }
        io_uring_prep_recv_multishot(sqe, fd, nullptr, 0, 0);
        sqe->flags |= IOSQE_BUFFER_SELECT;
        sqe->buf_group = 0;
        io_uring_sqe_set_data64(sqe, static_cast<std::uint64_t>(fd));
    };
    for (int fd : conns) arm(fd);
    io_uring_submit(&ring);
    for (auto next = Clock::now(); w.running();) {
        std::this_thread::sleep_until(next += batch_period);
        // The deferred receives run here, and the re-arms are submitted, in one call.
        io_uring_submit_and_get_events(&ring);
        io_uring_cqe* cqe;
        unsigned head, seen = 0, returned = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            ++seen;
            if (cqe->res > 0) {
                w.bytes += static_cast<std::uint64_t>(cqe->res);
                give(cqe->flags >> IORING_CQE_BUFFER_SHIFT, static_cast<int>(returned++));
            }
            // A multishot receive ends when the buffers ran out; the peer's end (0) is final.
            if (!(cqe->flags & IORING_CQE_F_MORE) && cqe->res != 0) arm(static_cast<int>(cqe->user_data));
        }
        io_uring_buf_ring_advance(slots, static_cast<int>(returned));
        io_uring_cq_advance(&ring, seen);
    }
    io_uring_queue_exit(&ring);
}
#endif

}  // namespace

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    std::string mode = "epoll";
    std::size_t connections = 10000;
    int window_s = 10, settle_s = 3;
    po::options_description opts("recv-floor: the kernel's receive cost per 4 KB frame at 1 frame/s per connection\nOptions");
    opts.add_options()("help,h", "show this help and exit")("mode", po::value(&mode), "epoll or uring")(
        "connections", po::value(&connections), "connections, each sending one frame a second")(
        "window", po::value(&window_s), "measured seconds")("settle", po::value(&settle_s), "seconds before the window");
    if (auto status = telehub::bench::parse_flags(argc, argv, opts, "recv-floor")) return *status;
#ifndef TELEHUB_HAVE_LIBURING
    if (mode == "uring") {
        std::fprintf(stderr, "recv-floor: built without liburing (install liburing-dev and reconfigure)\n");
        return 2;
    }
#endif
    if (mode != "epoll" && mode != "uring") {
        std::fprintf(stderr, "recv-floor: --mode must be epoll or uring, not '%s'\n", mode.c_str());
        return 2;
    }
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
#ifdef TELEHUB_HAVE_LIBURING
    if (mode == "uring") receive_uring(conns, w);
    else
#endif
        receive_epoll(conns, w);
    const double cpu = process_cpu_s() - w.cpu_at_start;
    const double frames = static_cast<double>(w.bytes - w.bytes_at_start) / frame_bytes;
    std::printf("recv-floor: %s, %zu connections: %.0f frames/s received, CPU %.1f%%, %.2f us per frame\n",
                mode.c_str(), connections, frames / window_s, 100 * cpu / window_s, 1e6 * cpu / frames);
    kill(sender, SIGKILL);
    waitpid(sender, nullptr, 0);
    for (int fd : conns) close(fd);
    close(listener);
    return 0;
}
