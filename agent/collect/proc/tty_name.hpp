// The controlling terminal of a process, from the tty_nr field of
// /proc/PID/stat, as the /dev path people know it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace telehub::agent {

// tty_nr packs a device number the kernel's way (major in bits 8-19, minor in
// bits 0-7 and 20-31). Pseudo-terminals (majors 136-143) are /dev/pts/N,
// virtual consoles /dev/ttyN, serial ports /dev/ttySN, and /dev/tty,
// /dev/console, /dev/ptmx by their fixed numbers; any other device is named
// by its udev alias /dev/char/MAJOR:MINOR. nullopt for 0 (no terminal).
std::optional<std::string> tty_device_name(std::uint32_t tty_nr);

}  // namespace telehub::agent
