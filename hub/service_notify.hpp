// systemd's service notifications (sd_notify(3), libsystemd) for
// telehub.service's Type=notify: READY=1 once the hub listens, RELOADING=1
// then READY=1 around a SIGHUP reload, STOPPING=1, and WATCHDOG=1 from the io
// loop. Without $NOTIFY_SOCKET (not under systemd) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace telehub::hub {

class ServiceNotifier {
public:
    void ready(const std::string& status);
    void reloading();
    void stopping();
    void watchdog();

    // How often to send WATCHDOG=1: half of systemd's WatchdogSec= (from
    // $WATCHDOG_USEC, for this process per $WATCHDOG_PID), so one late tick
    // is not yet a restart. nullopt when no watchdog is asked for.
    static std::optional<std::chrono::microseconds> watchdog_period();
};

}  // namespace telehub::hub
