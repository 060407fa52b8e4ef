#include "agent/collect/proc/tty_name.hpp"

#define BOOST_TEST_MODULE tty_name
#include <boost/test/unit_test.hpp>

using telehub::agent::tty_device_name;

namespace {

// The kernel's new_encode_dev, as tty_nr is printed.
std::uint32_t dev(std::uint32_t major, std::uint32_t minor) {
    return (minor & 0xffu) | (major << 8) | ((minor & ~0xffu) << 12);
}

}  // namespace

BOOST_AUTO_TEST_CASE(no_terminal_is_nullopt) { BOOST_TEST(!tty_device_name(0)); }

BOOST_AUTO_TEST_CASE(pseudo_terminals) {
    BOOST_TEST(*tty_device_name(dev(136, 0)) == "/dev/pts/0");
    BOOST_TEST(*tty_device_name(34817) == "/dev/pts/1");
    BOOST_TEST(*tty_device_name(dev(136, 300)) == "/dev/pts/300");  // minor above 255
    BOOST_TEST(*tty_device_name(dev(137, 2)) == "/dev/pts/258");    // the next pts major
}

BOOST_AUTO_TEST_CASE(consoles_and_serial_ports) {
    BOOST_TEST(*tty_device_name(dev(4, 1)) == "/dev/tty1");
    BOOST_TEST(*tty_device_name(dev(4, 64)) == "/dev/ttyS0");
    BOOST_TEST(*tty_device_name(dev(5, 0)) == "/dev/tty");
    BOOST_TEST(*tty_device_name(dev(5, 1)) == "/dev/console");
}

BOOST_AUTO_TEST_CASE(other_devices_by_number) {
    BOOST_TEST(*tty_device_name(dev(204, 64)) == "/dev/char/204:64");
}
