#include "telehub/tcp_state.hpp"

#include "telehub/sample.hpp"

namespace telehub {
namespace {

constexpr std::array<std::string_view, tcp_state_count> names = {
    "",          "ESTABLISHED", "SYN_SENT",   "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
    "TIME_WAIT", "CLOSE",       "CLOSE_WAIT", "LAST_ACK", "LISTEN",    "CLOSING",
};

}  // namespace

std::string_view tcp_state_name(int state) {
    if (state <= 0 || state >= tcp_state_count) return {};
    return names[static_cast<std::size_t>(state)];
}

std::optional<int> tcp_state_from_name(std::string_view name) {
    for (int i = 1; i < tcp_state_count; ++i)
        if (names[static_cast<std::size_t>(i)] == name) return i;
    return std::nullopt;
}

std::uint32_t HostSockets::tcp_total() const {
    std::uint32_t sum = 0;
    for (auto n : tcp) sum += n;
    return sum;
}

}  // namespace telehub

namespace telehub {

std::uint32_t ContainerStats::sockets() const {
    std::uint32_t sum = udp + unix_;
    for (auto n : tcp) sum += n;
    return sum;
}

}  // namespace telehub
