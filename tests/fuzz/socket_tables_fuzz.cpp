// The agent's two sources of socket tables: the /proc/net/{tcp,tcp6,udp,
// udp6,raw,unix} text (first byte 0..4 picks the file) and sock_diag
// netlink dump replies (first byte 5..9: the rest is one recv() buffer of a
// tcp, udp, raw or unix dump). Entries are bounded by the input: one per text
// line, one per netlink message of at least a header and a diag record.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/unix_diag.h>

#include "agent/collect/socket_tables/netlink_diag_parser.hpp"
#include "agent/collect/socket_tables/proc_net_parser.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace ag = telehub::agent;

namespace {

constexpr ag::SocketFamily families[] = {ag::SocketFamily::tcp, ag::SocketFamily::udp, ag::SocketFamily::raw,
                                         ag::SocketFamily::unix_};

void proc_net(std::string_view text, unsigned which) {
    ag::SocketTable out;
    ag::SocketEntry first;
    first.inode = 77;
    out.push_back(first);  // appended to, never touched
    std::size_t lines = 0;
    for (char c : text) lines += c == '\n';
    if (!text.empty() && text.back() != '\n') ++lines;
    ag::TableParse r = which == 3 ? ag::parse_proc_net_unix(text, out) : ag::parse_proc_net_inet(text, families[which], out);
    FUZZ_CHECK(out[0].inode == 77);
    if (!r) {
        FUZZ_CHECK(out.size() == 1);  // a bad file adds nothing
        FUZZ_CHECK(r.bad_line >= 1 && r.bad_line <= std::max<std::size_t>(lines, 1));  // an empty file lacks its header: line 1
        return;
    }
    // The header adds no entry.
    FUZZ_CHECK(out.size() - 1 <= (lines == 0 ? 0 : lines - 1));
    for (std::size_t i = 1; i < out.size(); ++i) {
        FUZZ_CHECK(out[i].family == (which == 3 ? ag::SocketFamily::unix_ : families[which]));
        if (which == 3) FUZZ_CHECK(out[i].uid == ag::unknown_uid);
    }
}

void diag(std::span<const std::byte> chunk, unsigned which, std::uint32_t seq) {
    ag::SocketTable out;
    const ag::SocketFamily family = families[which % 4];
    auto r = ag::parse_diag_chunk(chunk, seq, family, out);
    const std::size_t record = family == ag::SocketFamily::unix_ ? sizeof(unix_diag_msg) : sizeof(inet_diag_msg);
    FUZZ_CHECK(out.size() <= chunk.size() / (NLMSG_HDRLEN + record));
    if (r.status == ag::DiagChunkResult::failed) FUZZ_CHECK(!r.what.empty() || r.error != 0);
    for (const auto& e : out.entries()) FUZZ_CHECK(e.family == family);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const unsigned selector = data[0] % 9;
    if (selector < 5) {
        const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
        proc_net(text, selector == 4 ? 0 : selector);  // 4: tcp6 shares tcp's parser and layout
        return 0;
    }
    if (size < 5) return 0;
    // The dump's sequence number comes from the input, so that both a match and a mismatch are reached.
    std::uint32_t seq = data[1] | (data[2] << 8) | (data[3] << 16) | (std::uint32_t(data[4]) << 24);
    // A copy, aligned as a recv() buffer is, of the exact size.
    std::vector<std::byte> buf(size - 5);
    if (!buf.empty()) std::memcpy(buf.data(), data + 5, buf.size());
    diag(buf, selector - 5, seq);
    return 0;
}
