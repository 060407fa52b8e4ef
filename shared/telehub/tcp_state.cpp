#include "telehub/tcp_state.hpp"

#include "telehub/sample.hpp"

namespace telehub {

std::string_view tcp_state_name(int state) {
    if (state <= 0 || state >= tcp_state_count) return {};
    return tcp_state_names[static_cast<std::size_t>(state)];
}

std::optional<int> tcp_state_from_name(std::string_view name) {
    for (int i = 1; i < tcp_state_count; ++i)
        if (tcp_state_names[static_cast<std::size_t>(i)] == name) return i;
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
