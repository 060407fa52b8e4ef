#include "agent/collect/socket_tables/netlink_diag_reader.hpp"

#include <cerrno>
#include <cstring>
#include <span>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/collect/socket_tables/netlink_diag_parser.hpp"
#include "agent/collect/socket_tables/netns_socket.hpp"

namespace telehub::agent {
namespace {

/* 64 KiB: the kernel fills at most 32 KiB per dump message batch, so one recv never truncates */
constexpr std::size_t recv_buffer_size = 64 * 1024;

// One receive buffer per thread, shared by every reader on it: a dump is
// parsed before the next recv, and with a reader per network namespace a
// buffer each was 64 KiB of RSS a namespace.
std::vector<std::byte>& receive_buffer() {
    thread_local std::vector<std::byte> buf(recv_buffer_size);
    return buf;
}

/* every state: the table counts all of them */
constexpr std::uint32_t all_states = 0xFFFFFFFFu;

template <class Req>
struct Request {
    nlmsghdr h;
    Req r;
};

}  // namespace

NetlinkDiagReader::NetlinkDiagReader() = default;

NetlinkDiagReader::NetlinkDiagReader(int netns_fd) : netns_fd_(netns_fd) {}

NetlinkDiagReader::~NetlinkDiagReader() { close(); }

void NetlinkDiagReader::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool NetlinkDiagReader::fail(std::string_view what, int err) {
    error_.assign(what);
    if (err != 0) {
        error_ += ": ";
        error_ += std::strerror(err);
    }
    close();
    return false;
}

bool NetlinkDiagReader::open() {
    if (fd_ >= 0) return true;
    if (netns_fd_ >= 0) {
        int err = 0;
        fd_ = open_sock_diag_in(netns_fd_, err);
        if (fd_ < 0) return fail("sock_diag socket in another network namespace (setns)", err);
        return true;
    }
    fd_ = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd_ < 0) return fail("socket(AF_NETLINK, NETLINK_SOCK_DIAG)", errno);
    return true;
}

bool NetlinkDiagReader::dump(SocketFamily family, int af, SocketTable& out) {
    const std::size_t size_on_entry = out.size();
    if (!open()) return false;
    const std::uint32_t seq = ++seq_;

    // Requests differ by family; all are a header plus one fixed struct.
    Request<inet_diag_req_v2> inet{};
    Request<inet_diag_req_raw> raw{};
    Request<unix_diag_req> unx{};
    nlmsghdr* h = nullptr;
    std::size_t len = 0;
    if (family == SocketFamily::unix_) {
        unx.r.sdiag_family = AF_UNIX;
        unx.r.udiag_states = all_states;
        unx.r.udiag_show = UDIAG_SHOW_UID;  // ignored by kernels before 5.3: uid stays unknown
        h = &unx.h;
        len = sizeof unx;
    } else if (family == SocketFamily::raw) {
        raw.r.sdiag_family = static_cast<std::uint8_t>(af);
        raw.r.sdiag_protocol = IPPROTO_RAW;
        raw.r.sdiag_raw_protocol = IPPROTO_RAW;  // IPPROTO_RAW here matches raw sockets of every protocol
        raw.r.idiag_states = all_states;
        h = &raw.h;
        len = sizeof raw;
    } else {
        inet.r.sdiag_family = static_cast<std::uint8_t>(af);
        inet.r.sdiag_protocol = family == SocketFamily::tcp ? IPPROTO_TCP : IPPROTO_UDP;
        inet.r.idiag_states = all_states;
        h = &inet.h;
        len = sizeof inet;
    }
    h->nlmsg_len = static_cast<std::uint32_t>(len);
    h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    h->nlmsg_seq = seq;

    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ssize_t sent;
    do sent = ::sendto(fd_, h, len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
    while (sent < 0 && errno == EINTR);
    if (sent != static_cast<ssize_t>(len)) return fail("sending the sock_diag request", sent < 0 ? errno : EIO);

    auto& buf = receive_buffer();
    for (;;) {
        iovec iov{buf.data(), buf.size()};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        ssize_t n = ::recvmsg(fd_, &msg, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            out.truncate(size_on_entry);
            return fail("receiving the sock_diag dump", errno);
        }
        if (n == 0 || (msg.msg_flags & MSG_TRUNC)) {
            out.truncate(size_on_entry);
            return fail("sock_diag dump reply empty or truncated", 0);
        }
        auto r = parse_diag_chunk(std::span<const std::byte>(buf.data(), static_cast<std::size_t>(n)), seq, family, out);
        if (r.status == DiagChunkResult::done) return true;
        if (r.status == DiagChunkResult::failed) {
            out.truncate(size_on_entry);
            return fail(r.what, r.error);
        }
    }
}

}  // namespace telehub::agent
