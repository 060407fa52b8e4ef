#include "agent/collect/socket_tables/netlink_diag_parser.hpp"

#define BOOST_TEST_MODULE netlink_diag_parser
#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <limits>
#include <cstring>
#include <random>
#include <vector>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "telehub/tcp_state.hpp"

using namespace telehub;
using namespace telehub::agent;

namespace {

// Dump replies built from the kernel's own structs, as the kernel lays them out.
using Bytes = std::vector<std::byte>;
constexpr std::uint32_t seq = 7;

void append_raw(Bytes& b, const void* p, std::size_t n) {
    auto* c = static_cast<const std::byte*>(p);
    b.insert(b.end(), c, c + n);
}

void append_msg(Bytes& b, std::uint16_t type, const Bytes& payload, std::uint32_t msg_seq = seq) {
    nlmsghdr h{};
    h.nlmsg_len = static_cast<std::uint32_t>(NLMSG_LENGTH(payload.size()));
    h.nlmsg_type = type;
    h.nlmsg_flags = NLM_F_MULTI;
    h.nlmsg_seq = msg_seq;
    append_raw(b, &h, sizeof h);
    b.insert(b.end(), payload.begin(), payload.end());
    b.resize(b.size() + (NLMSG_ALIGN(h.nlmsg_len) - h.nlmsg_len));
}

Bytes inet_record(int af, int state, const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport,
                  std::uint32_t uid, std::uint32_t inode) {
    inet_diag_msg m{};
    m.idiag_family = static_cast<std::uint8_t>(af);
    m.idiag_state = static_cast<std::uint8_t>(state);
    BOOST_REQUIRE(inet_pton(af, src, m.id.idiag_src) == 1);
    BOOST_REQUIRE(inet_pton(af, dst, m.id.idiag_dst) == 1);
    m.id.idiag_sport = htons(sport);
    m.id.idiag_dport = htons(dport);
    m.idiag_uid = uid;
    m.idiag_inode = inode;
    Bytes b;
    append_raw(b, &m, sizeof m);
    return b;
}

void append_attr(Bytes& b, std::uint16_t type, const void* p, std::size_t n) {
    nlattr a{};
    a.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + n);
    a.nla_type = type;
    append_raw(b, &a, sizeof a);
    append_raw(b, p, n);
    b.resize(b.size() + (NLA_ALIGN(a.nla_len) - a.nla_len));
}

Bytes unix_record(int state, std::uint32_t inode, std::optional<std::uint32_t> uid) {
    unix_diag_msg m{};
    m.udiag_family = AF_UNIX;
    m.udiag_type = 1;
    m.udiag_state = static_cast<std::uint8_t>(state);
    m.udiag_ino = inode;
    Bytes b;
    append_raw(b, &m, sizeof m);
    const char name[] = "/run/x.sock";  // an attribute before the uid, odd length to test padding
    append_attr(b, UNIX_DIAG_NAME, name, sizeof name - 1);
    if (uid) append_attr(b, UNIX_DIAG_UID, &*uid, sizeof *uid);
    return b;
}

Bytes int_payload(int v) {
    Bytes b;
    append_raw(b, &v, sizeof v);
    return b;
}

Bytes done() {
    Bytes b;
    append_msg(b, NLMSG_DONE, int_payload(0));
    return b;
}

Bytes two_tcp_records() {
    Bytes b;
    append_msg(b, SOCK_DIAG_BY_FAMILY,
               inet_record(AF_INET, tcp_established, "127.0.0.1", 5000, "127.0.0.1", 40000, 1000, 111));
    append_msg(b, SOCK_DIAG_BY_FAMILY, inet_record(AF_INET6, tcp_listen, "::1", 22, "::", 0, 0, 222));
    return b;
}

DiagChunkResult parse(const Bytes& b, SocketTable& out, SocketFamily f = SocketFamily::tcp) {
    return parse_diag_chunk(std::span<const std::byte>(b.data(), b.size()), seq, f, out);
}

}  // namespace

BOOST_AUTO_TEST_CASE(inet_records_then_done) {
    Bytes b = two_tcp_records();
    Bytes d = done();
    b.insert(b.end(), d.begin(), d.end());
    SocketTable out;
    auto r = parse(b, out);
    BOOST_TEST(r.status == DiagChunkResult::done);
    BOOST_REQUIRE_EQUAL(out.size(), 2u);
    BOOST_TEST(out[0].inode == 111u);
    BOOST_TEST(out[0].uid == 1000u);
    BOOST_TEST(out[0].state == tcp_established);
    BOOST_TEST(address_text(out.endpoints(0).local) == "127.0.0.1@5000");
    BOOST_TEST(address_text(out.endpoints(0).remote) == "127.0.0.1@40000");
    BOOST_TEST(out.endpoints(1).local.v6);
    BOOST_TEST(address_text(out.endpoints(1).local) == "::1@22");
    BOOST_TEST(out.endpoints(1).remote.ip_is_zero());
    BOOST_TEST((out[1].family == SocketFamily::tcp));
}

BOOST_AUTO_TEST_CASE(dump_continues_over_several_buffers) {
    SocketTable out;
    BOOST_TEST(parse(two_tcp_records(), out, SocketFamily::udp).status == DiagChunkResult::more);
    BOOST_TEST(parse(done(), out, SocketFamily::udp).status == DiagChunkResult::done);
    BOOST_TEST(out.size() == 2u);
    BOOST_TEST((out[0].family == SocketFamily::udp));
}

BOOST_AUTO_TEST_CASE(unix_records_with_and_without_uid) {
    Bytes b;
    append_msg(b, SOCK_DIAG_BY_FAMILY, unix_record(tcp_listen, 900, 1234u));
    append_msg(b, SOCK_DIAG_BY_FAMILY, unix_record(tcp_established, 901, std::nullopt));
    Bytes d = done();
    b.insert(b.end(), d.begin(), d.end());
    SocketTable out;
    BOOST_TEST(parse(b, out, SocketFamily::unix_).status == DiagChunkResult::done);
    BOOST_REQUIRE_EQUAL(out.size(), 2u);
    BOOST_TEST((out[0].family == SocketFamily::unix_));
    BOOST_TEST(out[0].inode == 900u);
    BOOST_TEST(out[0].uid == 1234u);
    BOOST_TEST(out[0].state == tcp_listen);
    BOOST_TEST(out[1].uid == unknown_uid);  // kernels before 5.3 send no uid
}

BOOST_AUTO_TEST_CASE(kernel_errors_are_reported_with_errno) {
    SocketTable out;
    Bytes refused;
    nlmsgerr e{};
    e.error = -EPERM;
    Bytes payload;
    append_raw(payload, &e, sizeof e);
    append_msg(refused, NLMSG_ERROR, payload);
    auto r = parse(refused, out);
    BOOST_TEST(r.status == DiagChunkResult::failed);
    BOOST_TEST(r.error == EPERM);
    BOOST_TEST(!r.what.empty());

    Bytes interrupted;
    append_msg(interrupted, NLMSG_DONE, int_payload(-EINTR));
    r = parse(interrupted, out);
    BOOST_TEST(r.status == DiagChunkResult::failed);
    BOOST_TEST(r.error == EINTR);
}

// The socket_tables fuzz target's find: INT_MIN in an error field was negated
// (undefined behaviour); a value no kernel sends is a malformed reply, EPROTO.
BOOST_AUTO_TEST_CASE(an_error_field_no_kernel_sends_is_eproto) {
    SocketTable out;
    for (int bad : {std::numeric_limits<int>::min(), -4096, 7}) {
        nlmsgerr e{};
        e.error = bad;
        Bytes payload, refused;
        append_raw(payload, &e, sizeof e);
        append_msg(refused, NLMSG_ERROR, payload);
        auto r = parse(refused, out);
        BOOST_TEST(r.status == DiagChunkResult::failed);
        BOOST_TEST(r.error == EPROTO, bad);
        Bytes ended;
        append_msg(ended, NLMSG_DONE, int_payload(bad));
        r = parse(ended, out);
        if (bad < 0) {
            BOOST_TEST(r.status == DiagChunkResult::failed);
            BOOST_TEST(r.error == EPROTO, bad);
        }
    }
}

BOOST_AUTO_TEST_CASE(malformed_messages_fail_with_a_reason) {
    SocketTable out;
    auto expect_failed = [&](const Bytes& b, const char* why) {
        auto r = parse(b, out);
        BOOST_TEST(r.status == DiagChunkResult::failed, why);
        BOOST_TEST(!r.what.empty(), why);
    };
    Bytes other_seq;
    append_msg(other_seq, SOCK_DIAG_BY_FAMILY, inet_record(AF_INET, 1, "127.0.0.1", 1, "127.0.0.1", 2, 0, 5), seq + 1);
    expect_failed(other_seq, "sequence of another request");

    Bytes short_record;
    append_msg(short_record, SOCK_DIAG_BY_FAMILY, Bytes(10));
    expect_failed(short_record, "record shorter than inet_diag_msg");

    Bytes wrong_type;
    append_msg(wrong_type, 0x42, Bytes(8));
    expect_failed(wrong_type, "unknown message type");

    Bytes bad_family;
    append_msg(bad_family, SOCK_DIAG_BY_FAMILY, inet_record(AF_INET, 1, "127.0.0.1", 1, "127.0.0.1", 2, 0, 5));
    bad_family[sizeof(nlmsghdr)] = std::byte{AF_UNIX};
    expect_failed(bad_family, "family not inet");

    Bytes too_long = done();
    too_long[0] = std::byte{0xFF};  // nlmsg_len past the end of the buffer
    expect_failed(too_long, "length out of bounds");

    Bytes too_short = done();
    std::memset(too_short.data(), 0, 4);
    too_short[0] = std::byte{4};  // nlmsg_len smaller than the header
    expect_failed(too_short, "length below header size");

    Bytes bad_attr;
    append_msg(bad_attr, SOCK_DIAG_BY_FAMILY, unix_record(tcp_listen, 900, 1u));
    bad_attr[NLMSG_HDRLEN + sizeof(unix_diag_msg)] = std::byte{0xF0};  // first attribute's length too large
    auto r = parse(bad_attr, out, SocketFamily::unix_);
    BOOST_TEST(r.status == DiagChunkResult::failed);
}

BOOST_AUTO_TEST_CASE(every_truncation_is_safe) {
    Bytes full = two_tcp_records();
    Bytes d = done();
    full.insert(full.end(), d.begin(), d.end());
    const std::size_t first_end = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(inet_diag_msg)));
    for (std::size_t n = 0; n < full.size(); ++n) {
        SocketTable out;
        auto r = parse_diag_chunk(std::span<const std::byte>(full.data(), n), seq, SocketFamily::tcp, out);
        // Only a cut on a message boundary can look like an unfinished dump.
        bool boundary = n == 0 || n == first_end || n == 2 * first_end;
        BOOST_TEST((r.status == (boundary ? DiagChunkResult::more : DiagChunkResult::failed)), "cut at " << n);
        BOOST_TEST(out.size() <= 2u);
    }
}

BOOST_AUTO_TEST_CASE(random_garbage_never_crashes) {
    std::mt19937 rng(12345);
    std::size_t failed = 0;
    const int rounds = 2000;
    for (int i = 0; i < rounds; ++i) {
        Bytes b(rng() % 400);
        for (auto& x : b) x = static_cast<std::byte>(rng());
        // Half the time start from a plausible header so the deeper checks run.
        if (i % 2 == 0 && b.size() >= sizeof(nlmsghdr)) {
            nlmsghdr h{};
            h.nlmsg_len = static_cast<std::uint32_t>(rng() % (b.size() + 1));
            h.nlmsg_type = (i % 4 == 0) ? SOCK_DIAG_BY_FAMILY : NLMSG_ERROR;
            h.nlmsg_seq = seq;
            std::memcpy(b.data(), &h, sizeof h);
        }
        SocketTable out;
        auto r = parse_diag_chunk(std::span<const std::byte>(b.data(), b.size()), seq,
                                  i % 3 == 0 ? SocketFamily::unix_ : SocketFamily::tcp, out);
        if (r.status == DiagChunkResult::failed) {
            ++failed;
            BOOST_TEST(!r.what.empty());
        }
    }
    BOOST_TEST(failed > static_cast<std::size_t>(rounds) * 9 / 10);
}
