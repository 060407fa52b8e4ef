// socket-collector: per-tick cost of SocketCollector::collect() on this host
// with N extra established loopback connections held by this process, next
// to the naive floor (readlink every /proc/PID/fd entry every tick).
//   socket-collector [--pairs N (default 5000)] [--ticks T (default 20)]
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/collect/proc/proc.hpp"
#include "agent/collect/sockets/sockets.hpp"

using namespace telehub::agent;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "socket-collector: %s: %s\n", what, std::strerror(errno));
    std::exit(2);
}

bool numeric(const char* s, int& v) {
    auto r = std::from_chars(s, s + std::strlen(s), v);
    return r.ec == std::errc{} && *r.ptr == '\0';
}

// pid, starttime and name are all the collector needs from the process scan.
ProcessList scan_proc() {
    ProcessList list;
    DIR* d = ::opendir("/proc");
    if (!d) die("opendir /proc");
    std::string stat;
    while (dirent* de = ::readdir(d)) {
        ProcessEntry e;
        if (!numeric(de->d_name, e.pid)) continue;
        if (!read_file(std::string("/proc/") + de->d_name + "/stat", stat)) continue;
        auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        e.name = stat.substr(stat.find('(') + 1, close - stat.find('(') - 1);
        std::string_view rest = std::string_view(stat).substr(close + 2);
        for (int field = 3; field < 22 && !rest.empty(); ++field) rest.remove_prefix(std::min(rest.size(), rest.find(' ') + 1));
        std::from_chars(rest.data(), rest.data() + rest.size(), e.starttime);
        list.push_back(std::move(e));
    }
    ::closedir(d);
    return list;
}

// The floor program: readlink every fd of every process.
std::size_t naive_tick(const ProcessList& procs) {
    std::size_t sockets = 0;
    char path[64], target[64];
    for (const auto& p : procs) {
        std::snprintf(path, sizeof path, "/proc/%d/fd", p.pid);
        DIR* d = ::opendir(path);
        if (!d) continue;
        while (dirent* de = ::readdir(d)) {
            if (de->d_name[0] == '.') continue;
            ssize_t n = ::readlinkat(::dirfd(d), de->d_name, target, sizeof target);
            if (n > 7 && std::memcmp(target, "socket:", 7) == 0) ++sockets;
        }
        ::closedir(d);
    }
    return sockets;
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// CPU time (user + system) of this process: on a shared, loaded machine wall
// time mostly measures waiting for a core.
double cpu_ms() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return (double(u.ru_utime.tv_sec + u.ru_stime.tv_sec)) * 1e3 + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

}  // namespace

int main(int argc, char** argv) {
    long pairs = 5000, ticks = 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--pairs") == 0) pairs = std::atol(argv[i + 1]);
        else if (std::strcmp(argv[i], "--ticks") == 0) ticks = std::max(1L, std::atol(argv[i + 1]));
        else {
            std::fprintf(stderr, "socket-collector: unknown option %s; use --pairs N --ticks T\n", argv[i]);
            return 2;
        }
    }
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, rlim_t(2 * pairs + 64));
    if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) die("setrlimit");

    int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener, 1024) != 0) die("listen");
    socklen_t len = sizeof a;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
    std::vector<int> fds;
    for (long i = 0; i < pairs; ++i) {
        int c = ::socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0 || ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("connect");
        int s = ::accept(listener, nullptr, nullptr);
        if (s < 0) die("accept");
        fds.push_back(c);
        fds.push_back(s);
    }
    ProcessList procs = scan_proc();

    for (bool netlink : {true, false}) {
        SocketCollector c("/proc", netlink);
        telehub::HostSockets out;
        auto t0 = Clock::now();
        c.collect(procs, 10, out);
        double cold = ms_since(t0);
        double total = 0, worst = 0;
        const double cpu0 = cpu_ms();
        for (long i = 0; i < ticks; ++i) {
            auto t = Clock::now();
            c.collect(procs, 10, out);
            double ms = ms_since(t);
            total += ms;
            worst = std::max(worst, ms);
        }
        const double cpu = (cpu_ms() - cpu0) / double(ticks);
        std::printf("%-7s processes=%zu sockets=%u listed=%u procs/%u fds  cold %.2f ms  steady wall mean %.2f ms "
                    "max %.2f ms cpu %.2f ms  readlinks/tick %u  unattributed %u  top=%s(%u)\n",
                    out.source.c_str(), procs.size(), out.total(), c.stats().processes_listed, c.stats().fds_listed, cold,
                    total / double(ticks), worst, cpu, c.stats().readlinks, out.unattributed,
                    out.by_process.empty() ? "-" : out.by_process[0].name.c_str(),
                    out.by_process.empty() ? 0u : out.by_process[0].total);
        if (!c.error().empty()) std::printf("  note: %s\n", c.error().c_str());
    }
    double total = 0;
    std::size_t sockets = 0;
    const double cpu0 = cpu_ms();
    for (long i = 0; i < ticks; ++i) {
        auto t = Clock::now();
        sockets = naive_tick(procs);
        total += ms_since(t);
    }
    std::printf("naive   readlink every fd (no socket table at all): wall %.2f ms cpu %.2f ms per tick (%zu socket fds)\n",
                total / double(ticks), (cpu_ms() - cpu0) / double(ticks), sockets);
    for (int fd : fds) ::close(fd);
    ::close(listener);
}
