#include "agent/sockwatch_command.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <thread>

#include "agent/collect/processes/processes.hpp"
#include "agent/collect/sockets/sockets.hpp"
#include "agent/report/report.hpp"

namespace telehub::agent {
namespace {

volatile std::sig_atomic_t stop_requested = 0;

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

int run_sockwatch(const AgentOptions& o, std::ostream& out) {
    std::signal(SIGINT, [](int) { stop_requested = 1; });
    std::signal(SIGTERM, [](int) { stop_requested = 1; });
    ProcessCollector processes(o.proc_root);
    SocketCollector sockets(o.proc_root, o.netlink, o.setns);
    SocketChurnCollector churn;
    HostSockets host;
    auto period = std::chrono::duration<double>(o.interval_s);
    auto next = std::chrono::steady_clock::now();
    // Tick 0 is the baseline; each later tick reports the interval before it.
    for (std::size_t tick = 0; !stop_requested; ++tick) {
        processes.scan(0, 1);
        if (!sockets.collect(processes.processes(), 0, host))
            throw std::runtime_error("cannot read the socket tables: " + sockets.error());
        auto ts = now_ms();
        churn.update(ts, processes.processes(), sockets);
        if (tick > 0) {
            write_sockwatch(out, ts, o.interval_s, sockwatch_rows(churn.processes(), o.watch_pid, o.watch_name));
            if (o.count != 0 && tick >= o.count) break;
        }
        next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(period);
        // Short sleeps so that SIGINT ends the wait promptly.
        while (!stop_requested && std::chrono::steady_clock::now() < next)
            std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
                next - std::chrono::steady_clock::now(), std::chrono::milliseconds(100)));
    }
    return 0;
}

}  // namespace telehub::agent
