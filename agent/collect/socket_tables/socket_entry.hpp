// One socket as either source (sock_diag netlink or /proc/net text) reports
// it: the row every tick keeps (16 bytes), and its addresses, which only the
// connections report reads (SocketTable keeps them apart). Plain data.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace telehub::agent {

enum class SocketFamily : std::uint8_t { tcp, udp, unix_, raw };

struct SocketAddress {
    std::array<std::uint8_t, 16> ip{};  // network byte order; IPv4 uses the first 4 bytes
    std::uint16_t port = 0;             // host byte order
    bool v6 = false;

    bool ip_is_zero() const;
};

// No uid known (/proc/net/unix has no uid column).
inline constexpr std::uint32_t unknown_uid = 0xFFFFFFFFu;

struct SocketEntry {
    std::uint64_t inode = 0;  // 0: no file, so no process can hold it (TIME_WAIT, orphaned FIN_WAIT)
    SocketFamily family = SocketFamily::tcp;
    std::uint8_t state = 0;  // kernel TCP state for tcp; the kernel's state field for the others
    std::uint16_t netns = 0;  // which network namespace's table it came from: 0 the host's, else the collector's slot
    std::uint32_t uid = unknown_uid;
};

struct SocketEndpoints {
    SocketAddress local;   // unused for unix
    SocketAddress remote;  // unused for unix
};

// A socket as a parser reads it, row and addresses together.
struct ParsedSocket {
    SocketEntry entry;
    SocketEndpoints ends;
};

// "127.0.0.1@8080", "::1@443": the ip in its usual textual form, '@', the port.
std::string address_text(const SocketAddress& a);

}  // namespace telehub::agent
