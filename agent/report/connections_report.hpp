// `telehub-agent sockets [--csv]`: every connected socket (a local and a
// non-zero remote address: connected TCP and UDP, including TIME_WAIT and
// other ownerless states) with the process that holds it.
//
// Order: grouped by pid, groups by their number of connections descending,
// ties by pid ascending; within a group by local then remote address. Sockets
// no process was found to hold (TIME_WAIT, another user's process when not
// root) come last under pid "-". A socket several processes share is listed
// once, under the lowest pid. Status is the TCP state name; UDP has no state
// and shows "NONE".
#pragma once

#include <cstddef>
#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "agent/collect/socket_tables/socket_tables.hpp"

namespace telehub::agent {

struct ConnectionRow {
    int pid = -1;  // -1: no owner found, printed as "-"
    std::string laddr;  // "ip@port"
    std::string raddr;
    std::string status;
    std::string container;  // the holder's container; empty: the host (or no holder)
};

// pid -> its container's name, empty for the host.
using ContainerOf = std::function<std::string(int)>;

// `owner_at(pos)`: the pid holding table[pos], or -1 (SocketCollector::owner_at).
// Sockets of every network namespace the table holds are listed alike.
std::vector<ConnectionRow> connection_rows(const SocketTable& table,
                                           const std::function<int(std::size_t)>& owner_at,
                                           const ContainerOf& container_of = {});

// "pid","laddr","raddr","status" then one quoted line per row.
void write_connections_csv(std::span<const ConnectionRow> rows, std::ostream& out);

// The same as an aligned table for people: PID CONTAINER LADDR RADDR STATUS
// ("-" for the host).
void write_connections_table(std::span<const ConnectionRow> rows, std::ostream& out);

}  // namespace telehub::agent
