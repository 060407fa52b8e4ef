// TCP states numbered as the kernel numbers them (include/net/tcp_states.h),
// so netlink and /proc/net/tcp values index the counts directly.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace telehub {

inline constexpr int tcp_state_count = 12;  // index 0 is unused by the kernel

using TcpStateCounts = std::array<std::uint32_t, tcp_state_count>;

// The kernel's names, as `ss` and agent frames write them; index 0 is empty.
inline constexpr std::array<std::string_view, tcp_state_count> tcp_state_names = {
    "",          "ESTABLISHED", "SYN_SENT",   "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
    "TIME_WAIT", "CLOSE",       "CLOSE_WAIT", "LAST_ACK", "LISTEN",    "CLOSING",
};

// "ESTABLISHED" for 1 ... "CLOSING" for 11; empty for anything else.
std::string_view tcp_state_name(int state);

// The inverse of tcp_state_name; nullopt for an unknown name.
std::optional<int> tcp_state_from_name(std::string_view name);

inline constexpr int tcp_established = 1;
inline constexpr int tcp_syn_sent = 2;
inline constexpr int tcp_syn_recv = 3;
inline constexpr int tcp_fin_wait1 = 4;
inline constexpr int tcp_fin_wait2 = 5;
inline constexpr int tcp_time_wait = 6;
inline constexpr int tcp_close = 7;
inline constexpr int tcp_close_wait = 8;
inline constexpr int tcp_last_ack = 9;
inline constexpr int tcp_listen = 10;
inline constexpr int tcp_closing = 11;

}  // namespace telehub
