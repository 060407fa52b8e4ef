// Asks the CPU to start loading memory a later step will touch, so that its
// cache misses overlap with work in between (a hub's io thread decodes a
// frame while the host's state, written a second ago, comes in). A hint
// only: it never faults and changes no value, so a stale address costs one
// wasted load.
#pragma once

#include <cstddef>
#include <cstdint>

namespace telehub {

inline constexpr std::size_t cache_line_bytes = 64;

// Every line of [p, p + bytes), capped at `max_lines` lines.
inline void prefetch_range(const void* p, std::size_t bytes, std::size_t max_lines = 32) {
    const auto first = reinterpret_cast<std::uintptr_t>(p) & ~(cache_line_bytes - 1);
    const auto end = reinterpret_cast<std::uintptr_t>(p) + bytes;
    for (std::uintptr_t a = first; a < end && max_lines > 0; a += cache_line_bytes, --max_lines)
        __builtin_prefetch(reinterpret_cast<const void*>(a));
}

}  // namespace telehub
