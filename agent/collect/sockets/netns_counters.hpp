// A network namespace's own socket counters, as one string that changes
// whenever a dump of its TCP or UDP tables could: /proc/PID/net/snmp (segments
// and datagrams in and out, opens, resets, established count: every one of the
// namespace's MIBs), and the per-namespace figures of /proc/PID/net/sockstat
// and sockstat6 (sockets in use, TIME_WAIT count). A TCP state change sends or
// receives a segment, hashes or unhashes a socket, or moves the TIME_WAIT
// count; reading these three files costs microseconds where a dump walks the
// kernel's whole established hash, which every namespace shares.
#pragma once

#include <string>
#include <string_view>

namespace telehub::agent {

// Appends to `out` the per-namespace numbers of a sockstat or sockstat6 text:
// each line's label with its "used", "inuse" and "tw" values. The other
// figures (orphan, alloc, mem, memory) are the whole kernel's and would move
// with any namespace's traffic, so they are left out.
void append_sockstat_counts(std::string_view sockstat, std::string& out);

// The counters of the namespace of process `pid` (under the /proc directory
// `proc_dirfd`) into `out`; false when a file cannot be read (the process
// exited), then `out` is meaningless.
bool read_netns_counters(int proc_dirfd, int pid, std::string& out, std::string& scratch);

}  // namespace telehub::agent
