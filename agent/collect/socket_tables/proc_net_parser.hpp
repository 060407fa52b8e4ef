// Pure parsers for the /proc/net socket tables, the fallback when sock_diag
// netlink is refused. Text in, entries appended; no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "agent/collect/socket_tables/socket_table.hpp"

namespace telehub::agent {

struct TableParse {
    bool ok = true;
    std::size_t bad_line = 0;  // 1-based line that could not be parsed when !ok
    explicit operator bool() const { return ok; }
};

// One data line of /proc/net/{tcp,tcp6,udp,udp6,raw,raw6} (they share a layout).
std::optional<ParsedSocket> parse_proc_net_inet_line(std::string_view line, SocketFamily family);

// One data line of /proc/net/unix. Its state is translated to the numbering
// unix_diag uses (LISTEN, ESTABLISHED, SYN_SENT, CLOSE); it has no uid.
std::optional<ParsedSocket> parse_proc_net_unix_line(std::string_view line);

// A whole file: the header line, then one socket per line. Appends to `out`;
// on a malformed header or line `out` is left as it was and bad_line names it.
TableParse parse_proc_net_inet(std::string_view text, SocketFamily family, SocketTable& out);
TableParse parse_proc_net_unix(std::string_view text, SocketTable& out);

}  // namespace telehub::agent
