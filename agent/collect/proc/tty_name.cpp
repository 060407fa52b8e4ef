#include "agent/collect/proc/tty_name.hpp"

namespace telehub::agent {

std::optional<std::string> tty_device_name(std::uint32_t tty_nr) {
    if (tty_nr == 0) return std::nullopt;
    const std::uint32_t major = (tty_nr >> 8) & 0xfffu;
    const std::uint32_t minor = (tty_nr & 0xffu) | ((tty_nr >> 12) & 0xfff00u);
    // Device numbers from the kernel's Documentation/admin-guide/devices.txt.
    if (major >= 136 && major <= 143) return "/dev/pts/" + std::to_string((major - 136) * 256 + minor);
    if (major == 4 && minor < 64) return "/dev/tty" + std::to_string(minor);
    if (major == 4) return "/dev/ttyS" + std::to_string(minor - 64);
    if (major == 5 && minor == 0) return std::string("/dev/tty");
    if (major == 5 && minor == 1) return std::string("/dev/console");
    if (major == 5 && minor == 2) return std::string("/dev/ptmx");
    return "/dev/char/" + std::to_string(major) + ":" + std::to_string(minor);
}

}  // namespace telehub::agent
