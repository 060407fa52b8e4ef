// Loopback helpers for integration tests.
#pragma once

#include <cstdint>

namespace telehub::test {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back).
std::uint16_t free_port();

}  // namespace telehub::test
