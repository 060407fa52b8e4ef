#include "agent/collect/sockets/socket_collector.hpp"

#define BOOST_TEST_MODULE socket_collector_live
#include <boost/test/unit_test.hpp>

#include <charconv>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/report/connections_report.hpp"
#include "agent/collect/proc/proc_file.hpp"
#include "telehub/tcp_state.hpp"

// On this machine: the netlink and /proc paths see the same sockets the test
// opens on 127.0.0.1 (listen + connect + accept), with the same owner.

using namespace telehub;
using namespace telehub::agent;

namespace {

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// The process list the sampler would hand over, from a plain scan of /proc.
ProcessList scan_proc() {
    ProcessList list;
    DIR* d = ::opendir("/proc");
    BOOST_REQUIRE(d != nullptr);
    std::string stat, status;
    while (dirent* de = ::readdir(d)) {
        int pid = 0;
        auto r = std::from_chars(de->d_name, de->d_name + std::strlen(de->d_name), pid);
        if (r.ec != std::errc{} || *r.ptr != '\0') continue;
        std::string base = std::string("/proc/") + de->d_name;
        if (!read_file(base + "/stat", stat) || !read_file(base + "/status", status)) continue;
        ProcessEntry e;
        e.pid = pid;
        auto open = stat.find('('), close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos) continue;
        e.name = stat.substr(open + 1, close - open - 1);
        // Fields after the comm: state(3) ... flags(9) ... starttime(22).
        std::vector<std::string_view> f;
        std::string_view rest = std::string_view(stat).substr(close + 2);
        while (!rest.empty()) {
            auto sp = rest.find(' ');
            f.push_back(rest.substr(0, sp));
            rest.remove_prefix(sp == std::string_view::npos ? rest.size() : sp + 1);
        }
        if (f.size() < 20) continue;
        unsigned long flags = 0;
        std::from_chars(f[6].data(), f[6].data() + f[6].size(), flags);
        std::from_chars(f[19].data(), f[19].data() + f[19].size(), e.starttime);
        e.kernel_thread = flags & 0x00200000;  // PF_KTHREAD
        auto uid_at = status.find("\nUid:");
        if (uid_at != std::string::npos) e.uid = static_cast<std::uint32_t>(std::stoul(status.substr(uid_at + 5)));
        list.push_back(std::move(e));
    }
    ::closedir(d);
    return list;
}

std::uint64_t inode_of(int fd) {
    struct stat st {};
    BOOST_REQUIRE(::fstat(fd, &st) == 0);
    return st.st_ino;
}

struct Loopback {
    Fd listener, client, server;
    std::uint16_t port = 0;
    Loopback() {
        listener.fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(::bind(listener.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        BOOST_REQUIRE(::listen(listener.fd, 4) == 0);
        socklen_t len = sizeof a;
        BOOST_REQUIRE(::getsockname(listener.fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
        port = ntohs(a.sin_port);
        client.fd = ::socket(AF_INET, SOCK_STREAM, 0);
        BOOST_REQUIRE(::connect(client.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        server.fd = ::accept(listener.fd, nullptr, nullptr);
        BOOST_REQUIRE(server.fd >= 0);
    }
};

struct Seen {
    int listen = 0, established = 0, owned_by_us = 0;
};

Seen our_sockets(const SocketCollector& c, const Loopback& lb) {
    Seen s;
    const auto& t = c.table();
    const std::uint64_t ours[] = {inode_of(lb.listener.fd), inode_of(lb.client.fd), inode_of(lb.server.fd)};
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i].family != SocketFamily::tcp) continue;
        if (t.endpoints(i).local.port != lb.port && t.endpoints(i).remote.port != lb.port) continue;
        if (std::find(std::begin(ours), std::end(ours), t[i].inode) == std::end(ours)) continue;
        if (t[i].state == tcp_listen) ++s.listen;
        if (t[i].state == tcp_established) ++s.established;
        if (c.owner_at(i) == ::getpid()) ++s.owned_by_us;
    }
    return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(netlink_and_proc_agree_on_our_sockets) {
    Loopback lb;
    int pair[2];
    BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
    Fd p0{pair[0]}, p1{pair[1]};
    ProcessList procs = scan_proc();

    SocketCollector via_netlink("/proc", true);
    SocketCollector via_proc("/proc", false);
    HostSockets a, b;
    BOOST_REQUIRE_MESSAGE(via_netlink.collect(procs, 10, a), via_netlink.error());
    BOOST_REQUIRE_MESSAGE(via_proc.collect(procs, 10, b), via_proc.error());
    BOOST_TEST(a.source == "netlink");
    BOOST_TEST(b.source == "proc");

    Seen n = our_sockets(via_netlink, lb), p = our_sockets(via_proc, lb);
    BOOST_TEST(n.listen == 1);
    BOOST_TEST(n.established == 2);
    BOOST_TEST(n.owned_by_us == 3);
    BOOST_TEST(p.listen == n.listen);
    BOOST_TEST(p.established == n.established);
    BOOST_TEST(p.owned_by_us == n.owned_by_us);

    SocketCounts cn = via_netlink.counts_for(::getpid()), cp = via_proc.counts_for(::getpid());
    BOOST_TEST(cn.tcp == 3u);  // this test process holds nothing else over TCP
    BOOST_TEST(cn.unix_ >= 2u);
    BOOST_TEST(cp.tcp == cn.tcp);
    BOOST_TEST(cp.unix_ == cn.unix_);

    // The connections report lists both connected ends under this pid.
    auto rows = connection_rows(via_netlink.table(), [&](std::size_t i) { return via_netlink.owner_at(i); });
    int ours = 0;
    const std::string port_text = "127.0.0.1@" + std::to_string(lb.port);
    for (const auto& r : rows)
        if (r.pid == ::getpid() && (r.laddr == port_text || r.raddr == port_text)) {
            ++ours;
            BOOST_TEST(r.status == "ESTABLISHED");
        }
    BOOST_TEST(ours == 2);
}

BOOST_AUTO_TEST_CASE(closing_and_reopening_is_seen_on_the_next_tick) {
    ProcessList procs = scan_proc();
    SocketCollector c("/proc", true);
    HostSockets out;
    std::uint32_t before;
    {
        Loopback lb;
        BOOST_REQUIRE(c.collect(procs, 10, out));
        before = c.counts_for(::getpid()).tcp;
        BOOST_TEST(before >= 3u);
    }
    BOOST_REQUIRE(c.collect(procs, 10, out));
    BOOST_TEST(c.counts_for(::getpid()).tcp == before - 3);
    // New sockets most likely reuse the fd numbers just freed.
    Loopback again;
    BOOST_REQUIRE(c.collect(procs, 10, out));
    BOOST_TEST(c.counts_for(::getpid()).tcp == before);
    BOOST_TEST(our_sockets(c, again).owned_by_us == 3);
}
