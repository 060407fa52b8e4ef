// The I/O half of the /proc/net fallback: reads the socket tables under
// <proc_root>/net into one reused buffer and hands them to the pure parsers.
#pragma once

#include <string>
#include <vector>

#include "agent/collect/proc/proc.hpp"
#include "agent/collect/socket_tables/socket_table.hpp"

namespace telehub::agent {

class ProcNetReader {
public:
    explicit ProcNetReader(std::string proc_root);

    // Appends tcp, tcp6, udp, udp6, unix, raw and raw6. tcp, udp and unix
    // must exist; the IPv6 and raw tables may be absent (IPv6 disabled) and
    // then count as empty. On failure `out` is back to its size on entry and
    // error() names the file and line.
    bool read_all(SocketTable& out);

    // Only raw and raw6: for when netlink works but the kernel has no raw_diag.
    bool read_raw(SocketTable& out);

    const std::string& error() const { return error_; }

private:
    bool read_table(const char* name, SocketFamily family, bool required, SocketTable& out);

    std::string net_dir_;
    DirFd net_;
    std::string text_;
    std::string error_;
};

}  // namespace telehub::agent
