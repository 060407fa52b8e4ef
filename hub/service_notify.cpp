#include "hub/service_notify.hpp"

#include <cstdint>

#include <systemd/sd-daemon.h>

namespace telehub::hub {

// sd_notify's result is not checked: a supervisor that does not listen is
// not the hub's error, and there is nobody else to tell.
void ServiceNotifier::ready(const std::string& status) { sd_notify(0, ("READY=1\nSTATUS=" + status).c_str()); }

void ServiceNotifier::reloading() { sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration"); }

void ServiceNotifier::stopping() { sd_notify(0, "STOPPING=1\nSTATUS=closing connections"); }

void ServiceNotifier::watchdog() { sd_notify(0, "WATCHDOG=1"); }

std::optional<std::chrono::microseconds> ServiceNotifier::watchdog_period() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    return std::chrono::microseconds(usec / 2);
}

}  // namespace telehub::hub
