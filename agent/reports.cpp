#include "agent/reports.hpp"

#include "agent/report/report.hpp"
#include "agent/collect/containers/containers.hpp"
#include "agent/collect/processes/processes.hpp"
#include "agent/collect/sockets/sockets.hpp"

namespace telehub::agent {

int run_sockets_report(const AgentOptions& o, std::ostream& out) {
    ProcessCollector processes(o.proc_root);
    processes.scan(0, 1);
    ContainerCollector containers(ContainerOptions{o.proc_root, {}, o.top_containers});
    containers.update(processes.processes());
    SocketCollector sockets(o.proc_root, o.netlink, o.setns);
    HostSockets host;
    if (!sockets.collect(processes.processes(), 0, host)) {
        out.flush();
        throw std::runtime_error("cannot read the socket tables: " + sockets.error());
    }
    auto rows = connection_rows(
        sockets.table(), [&](std::size_t pos) { return sockets.owner_at(pos); },
        [&](int pid) { return containers.container_of(pid); });
    if (o.csv) write_connections_csv(rows, out);
    else write_connections_table(rows, out);
    return 0;
}

int run_top_report(const AgentOptions& o, std::ostream& out) {
    write_top_ticks(out, read_top_ticks(o.proc_root, o.top_n), o.csv);
    return 0;
}

}  // namespace telehub::agent
