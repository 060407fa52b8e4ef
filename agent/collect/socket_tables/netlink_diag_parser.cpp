#include "agent/collect/socket_tables/netlink_diag_parser.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

namespace telehub::agent {
namespace {

DiagChunkResult fail(std::string_view what, int error = 0) { return {DiagChunkResult::failed, error, what}; }

// Kernel buffers are aligned, recorded or test buffers need not be: copy out.
template <class T>
T load(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

void fill_address(SocketAddress& a, std::uint8_t family, const __be32 (&ip)[4], __be16 port) {
    a.v6 = family == AF_INET6;
    std::memcpy(a.ip.data(), ip, a.v6 ? 16 : 4);
    a.port = ntohs(port);
}

bool parse_inet(std::span<const std::byte> payload, SocketFamily family, ParsedSocket& s, std::string_view& what) {
    if (payload.size() < sizeof(inet_diag_msg)) {
        what = "sock_diag inet record shorter than inet_diag_msg";
        return false;
    }
    auto m = load<inet_diag_msg>(payload.data());
    if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6) {
        what = "sock_diag inet record with a family other than AF_INET/AF_INET6";
        return false;
    }
    SocketEntry& e = s.entry;
    e.inode = m.idiag_inode;
    e.family = family;
    e.state = m.idiag_state;
    e.uid = m.idiag_uid;
    fill_address(s.ends.local, m.idiag_family, m.id.idiag_src, m.id.idiag_sport);
    fill_address(s.ends.remote, m.idiag_family, m.id.idiag_dst, m.id.idiag_dport);
    return true;
}

bool parse_unix(std::span<const std::byte> payload, SocketEntry& e, std::string_view& what) {
    if (payload.size() < sizeof(unix_diag_msg)) {
        what = "sock_diag unix record shorter than unix_diag_msg";
        return false;
    }
    auto m = load<unix_diag_msg>(payload.data());
    if (m.udiag_family != AF_UNIX) {
        what = "sock_diag unix record with a family other than AF_UNIX";
        return false;
    }
    e.inode = m.udiag_ino;
    e.family = SocketFamily::unix_;
    e.state = m.udiag_state;
    e.uid = unknown_uid;
    // Attributes follow the record, each 4-byte aligned; only the uid is wanted.
    std::size_t off = NLMSG_ALIGN(sizeof(unix_diag_msg));
    while (off + sizeof(nlattr) <= payload.size()) {
        auto a = load<nlattr>(payload.data() + off);
        if (a.nla_len < sizeof(nlattr) || a.nla_len > payload.size() - off) {
            what = "sock_diag unix attribute length out of bounds";
            return false;
        }
        if ((a.nla_type & NLA_TYPE_MASK) == UNIX_DIAG_UID && a.nla_len >= NLA_HDRLEN + sizeof(std::uint32_t))
            e.uid = load<std::uint32_t>(payload.data() + off + NLA_HDRLEN);
        off += NLA_ALIGN(a.nla_len);
    }
    return true;
}

// The errno of a netlink error field: the kernel sends -errno, at most 4095.
// Anything else (INT_MIN, which cannot even be negated, or a positive value)
// is a malformed reply: EPROTO. Found by the socket_tables fuzz target.
int errno_of(int err) { return err < 0 && err >= -4095 ? -err : EPROTO; }

}  // namespace

DiagChunkResult parse_diag_chunk(std::span<const std::byte> chunk, std::uint32_t seq, SocketFamily family,
                                 SocketTable& out) {
    std::size_t off = 0;
    while (off < chunk.size()) {
        std::size_t left = chunk.size() - off;
        if (left < sizeof(nlmsghdr)) return fail("netlink buffer ends inside a message header");
        auto h = load<nlmsghdr>(chunk.data() + off);
        if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > left) return fail("netlink message length out of bounds");
        if (h.nlmsg_seq != seq) return fail("netlink message belongs to another request (sequence mismatch)");
        auto payload = chunk.subspan(off + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN);

        if (h.nlmsg_type == NLMSG_DONE) {
            // Since 4.x a dump that failed part-way reports its errno here.
            if (payload.size() >= sizeof(int)) {
                int err = load<int>(payload.data());
                if (err < 0) return fail("sock_diag dump ended with an error", errno_of(err));
            }
            return {DiagChunkResult::done, 0, {}};
        }
        if (h.nlmsg_type == NLMSG_ERROR) {
            if (payload.size() < sizeof(int)) return fail("netlink error message too short");
            int err = load<int>(payload.data());
            if (err == 0) return fail("netlink acknowledgement where a dump was expected");
            return fail("kernel refused the sock_diag request", errno_of(err));
        }
        if (h.nlmsg_type == NLMSG_OVERRUN) return fail("netlink reports lost dump data (overrun)");
        if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            ParsedSocket s;
            std::string_view what;
            bool ok = family == SocketFamily::unix_ ? parse_unix(payload, s.entry, what)
                                                    : parse_inet(payload, family, s, what);
            if (!ok) return fail(what);
            out.push_back(s.entry, s.ends);
        } else if (h.nlmsg_type >= NLMSG_MIN_TYPE) {
            return fail("netlink message type is not a sock_diag reply");
        }
        // NLMSG_NOOP carries nothing.
        off += std::min<std::size_t>(NLMSG_ALIGN(h.nlmsg_len), left);
    }
    return {DiagChunkResult::more, 0, {}};
}

}  // namespace telehub::agent
