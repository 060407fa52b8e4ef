// agent-floor: the baseline for the agent-cost benchmark. Each sample does the
// least any agent with our output must do, plainly and without caching:
// reads /proc/stat and every /proc/PID/stat, readlinks every /proc/PID/fd/*
// entry and /proc/PID/ns/net, and dumps TCP, UDP and UNIX sockets over
// netlink sock_diag in every network namespace that has a process, only
// counting. A sock_diag socket answers for the namespace it was made in, so
// one is made per namespace on a thread that joins it (setns) and kept while
// the namespace has processes: the one thing cached, since making it costs a
// thread and every agent that dumps namespaces keeps it. The real agent's
// cost is judged against this floor (scripts/bench-agent, docs/benchmarks.md).
//
//   agent-floor --interval SECONDS --samples N
//
// Prints one line of counts per sample to stdout.
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr const char* program = "agent-floor";

struct Counts {
    std::uint64_t host_ticks = 0;  // sum of the "cpu" line of /proc/stat
    std::uint64_t proc_ticks = 0;  // sum of utime+stime over all processes
    std::uint32_t processes = 0;
    std::uint32_t fds = 0;
    std::uint32_t socket_fds = 0;
    std::uint32_t tcp[12] = {};  // by kernel TCP state number
    std::uint32_t tcp_total = 0;
    std::uint32_t udp = 0;
    std::uint32_t unix_ = 0;
    std::uint32_t netns = 0;  // network namespaces dumped
};

// This tick's network namespaces: inode -> a pid in it (to setns through).
using NamespacePids = std::unordered_map<std::uint64_t, int>;

// A sock_diag socket per other namespace, with the tick it last had a process.
struct NamespaceSocket {
    int fd = -1;
    long seen = 0;
};

[[noreturn]] void usage_error(const char* what) {
    std::fprintf(stderr, "%s: %s\nusage: %s --interval SECONDS --samples N\n", program, what, program);
    std::exit(2);
}

// Reads a small /proc file relative to `dir` into `buf`; 0 bytes when the
// process vanished, which is normal mid-scan.
std::size_t read_small(int dir, const char* path, char* buf, std::size_t cap) {
    int fd = ::openat(dir, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = ::read(fd, buf, cap);
    ::close(fd);
    return n > 0 ? std::size_t(n) : 0;
}

std::uint64_t parse_u64(std::string_view& s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    s.remove_prefix(std::size_t(end - s.data()));
    return ec == std::errc{} ? v : 0;
}

void read_host_stat(int proc, Counts& c) {
    char buf[8192];
    std::size_t n = read_small(proc, "stat", buf, sizeof buf);
    std::string_view s(buf, n);
    if (!s.starts_with("cpu ")) return;
    s.remove_prefix(4);
    for (int i = 0; i < 8; ++i) c.host_ticks += parse_u64(s);
}

// utime and stime are fields 14 and 15; the fields after the comm (which ends
// at the last ')') start at field 3.
std::uint64_t process_ticks(std::string_view stat) {
    auto close = stat.rfind(')');
    if (close == std::string_view::npos || close + 2 >= stat.size()) return 0;
    std::string_view rest = stat.substr(close + 2);
    for (int field = 3; field < 14; ++field) {
        auto space = rest.find(' ');
        if (space == std::string_view::npos) return 0;
        rest.remove_prefix(space + 1);
    }
    std::uint64_t utime = parse_u64(rest);
    std::uint64_t stime = parse_u64(rest);
    return utime + stime;
}

void scan_fds(int proc, const char* pid, Counts& c) {
    char path[sizeof(dirent::d_name) + 8];
    std::snprintf(path, sizeof path, "%s/fd", pid);
    int fd_dir = ::openat(proc, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_dir < 0) return;
    DIR* dir = ::fdopendir(fd_dir);
    if (!dir) {
        ::close(fd_dir);
        return;
    }
    char link[256];
    while (dirent* e = ::readdir(dir)) {
        if (e->d_name[0] == '.') continue;
        ssize_t n = ::readlinkat(fd_dir, e->d_name, link, sizeof link);
        if (n <= 0) continue;
        ++c.fds;
        if (std::string_view(link, std::size_t(n)).starts_with("socket:[")) ++c.socket_fds;
    }
    ::closedir(dir);
}

// "net:[4026531993]" -> 4026531993; 0 when unreadable.
std::uint64_t netns_inode(int proc, const char* pid) {
    char path[sizeof(dirent::d_name) + 8];
    char link[64];
    std::snprintf(path, sizeof path, "%s/ns/net", pid);
    ssize_t n = ::readlinkat(proc, path, link, sizeof link);
    if (n <= 5) return 0;
    std::string_view s(link + 5, std::size_t(n) - 5);
    return parse_u64(s);
}

void scan_processes(int proc, DIR* listing, Counts& c, NamespacePids& namespaces) {
    ::rewinddir(listing);
    char path[sizeof(dirent::d_name) + 8];
    char buf[4096];
    namespaces.clear();
    while (dirent* e = ::readdir(listing)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        std::snprintf(path, sizeof path, "%s/stat", e->d_name);
        std::size_t n = read_small(proc, path, buf, sizeof buf);
        if (n == 0) continue;
        ++c.processes;
        c.proc_ticks += process_ticks(std::string_view(buf, n));
        scan_fds(proc, e->d_name, c);
        if (std::uint64_t ns = netns_inode(proc, e->d_name)) namespaces.try_emplace(ns, std::atoi(e->d_name));
    }
}

// A sock_diag socket made inside the namespace of `pid` by a thread that
// joins it; -1 (errno set) when the namespace is gone or setns is refused.
int open_sock_diag_in(int proc, int pid) {
    char path[32];
    std::snprintf(path, sizeof path, "%d/ns/net", pid);
    int ns = ::openat(proc, path, O_RDONLY | O_CLOEXEC);
    if (ns < 0) return -1;
    int fd = -1, err = 0;
    std::thread([&] {
        if (::setns(ns, CLONE_NEWNET) != 0) err = errno;
        else if ((fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)) < 0) err = errno;
    }).join();
    ::close(ns);
    errno = err;
    return fd;
}

// One sock_diag dump: sends `req`, calls on_msg for every answer until DONE.
template <class Request, class OnMessage>
bool dump(int nl, Request& req, std::vector<char>& buf, OnMessage on_msg) {
    req.nlh.nlmsg_len = sizeof req;
    req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(nl, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) return false;
    for (;;) {
        ssize_t n = ::recv(nl, buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        int left = int(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_type == NLMSG_DONE) return true;
            if (h->nlmsg_type == NLMSG_ERROR) {
                auto* err = static_cast<nlmsgerr*>(NLMSG_DATA(h));
                errno = -err->error;
                return false;
            }
            on_msg(h);
        }
    }
}

struct InetRequest {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
};

struct UnixRequest {
    nlmsghdr nlh;
    unix_diag_req req;
};

bool dump_sockets(int nl, std::vector<char>& buf, Counts& c) {
    for (int family : {AF_INET, AF_INET6}) {
        InetRequest tcp{};
        tcp.req.sdiag_family = std::uint8_t(family);
        tcp.req.sdiag_protocol = IPPROTO_TCP;
        tcp.req.idiag_states = ~0U;
        bool ok = dump(nl, tcp, buf, [&](nlmsghdr* h) {
            auto* m = static_cast<inet_diag_msg*>(NLMSG_DATA(h));
            if (m->idiag_state < 12) ++c.tcp[m->idiag_state];
            ++c.tcp_total;
        });
        if (!ok) return false;
        InetRequest udp{};
        udp.req.sdiag_family = std::uint8_t(family);
        udp.req.sdiag_protocol = IPPROTO_UDP;
        udp.req.idiag_states = ~0U;
        if (!dump(nl, udp, buf, [&](nlmsghdr*) { ++c.udp; })) return false;
    }
    UnixRequest unix_req{};
    unix_req.req.sdiag_family = AF_UNIX;
    unix_req.req.udiag_states = ~0U;
    return dump(nl, unix_req, buf, [&](nlmsghdr*) { ++c.unix_; });
}

void add_seconds(timespec& t, double s) {
    long long ns = t.tv_nsec + static_cast<long long>(s * 1e9);
    t.tv_sec += ns / 1000000000;
    t.tv_nsec = ns % 1000000000;
}

}  // namespace

int main(int argc, char** argv) {
    double interval = 1.0;
    long samples = 20;
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (i + 1 >= argc) usage_error("every flag needs a value");
        std::string_view v = argv[++i];
        if (flag == "--interval") {
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), interval);
            if (ec != std::errc{} || end != v.data() + v.size() || !(interval > 0) || interval > 3600)
                usage_error("--interval wants seconds between 0 and 3600, e.g. 1 or 0.5");
        } else if (flag == "--samples") {
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), samples);
            if (ec != std::errc{} || end != v.data() + v.size() || samples < 1)
                usage_error("--samples wants a whole number of at least 1");
        } else {
            usage_error("unknown flag");
        }
    }

    int proc = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR* listing = proc < 0 ? nullptr : ::fdopendir(::dup(proc));
    if (!listing) {
        std::fprintf(stderr, "%s: cannot open /proc: %s\n", program, std::strerror(errno));
        return 1;
    }
    int nl = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0) {
        std::fprintf(stderr, "%s: cannot open a sock_diag netlink socket: %s\n", program, std::strerror(errno));
        return 1;
    }
    std::uint64_t own_netns = netns_inode(proc, "self");
    NamespacePids namespaces;
    std::unordered_map<std::uint64_t, NamespaceSocket> others;
    /* 64 KiB: many answers per recv without the kernel truncating one */
    std::vector<char> buf(64 * 1024);

    timespec next{};
    ::clock_gettime(CLOCK_MONOTONIC, &next);
    for (long s = 1; s <= samples; ++s) {
        Counts c;
        read_host_stat(proc, c);
        scan_processes(proc, listing, c, namespaces);
        if (!dump_sockets(nl, buf, c)) {
            std::fprintf(stderr, "%s: sock_diag dump failed: %s\n", program, std::strerror(errno));
            return 1;
        }
        c.netns = 1;
        for (auto [inode, pid] : namespaces) {
            if (inode == own_netns) continue;
            auto& ns = others[inode];
            if (ns.fd < 0 && (ns.fd = open_sock_diag_in(proc, pid)) < 0) {
                if (errno == ENOENT || errno == ESRCH) {  // the process left since the scan
                    others.erase(inode);
                    continue;
                }
                std::fprintf(stderr, "%s: no sock_diag socket in net:[%llu] (pid %d): %s\n", program,
                             static_cast<unsigned long long>(inode), pid, std::strerror(errno));
                return 1;
            }
            ns.seen = s;
            if (!dump_sockets(ns.fd, buf, c)) {
                std::fprintf(stderr, "%s: sock_diag dump in net:[%llu] failed: %s\n", program,
                             static_cast<unsigned long long>(inode), std::strerror(errno));
                return 1;
            }
            ++c.netns;
        }
        // A namespace without processes goes: its socket would keep it alive.
        std::erase_if(others, [s](auto& kv) {
            if (kv.second.seen == s) return false;
            ::close(kv.second.fd);
            return true;
        });
        std::printf("sample=%ld processes=%u fds=%u socket_fds=%u netns=%u tcp=%u established=%u listen=%u "
                    "udp=%u unix=%u host_ticks=%llu process_ticks=%llu\n",
                    s, c.processes, c.fds, c.socket_fds, c.netns, c.tcp_total, c.tcp[1], c.tcp[10], c.udp, c.unix_,
                    static_cast<unsigned long long>(c.host_ticks), static_cast<unsigned long long>(c.proc_ticks));
        std::fflush(stdout);
        if (s == samples) break;
        add_seconds(next, interval);
        while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr) == EINTR) {
        }
    }
    return 0;
}
