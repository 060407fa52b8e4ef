#include "hub/control/command_id.hpp"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <random>

namespace telehub::hub {

std::string new_command_id() {
    static std::atomic<std::uint64_t> next{[] {
        std::random_device rd;
        return (std::uint64_t{rd()} << 32) ^ rd();
    }()};
    char text[17];
    std::snprintf(text, sizeof text, "%016llx",
                  static_cast<unsigned long long>(next.fetch_add(1, std::memory_order_relaxed)));
    return text;
}

bool is_command_id(std::string_view id) {
    if (id.size() != 16) return false;
    for (char c : id)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace telehub::hub
