// Pure parsing of sock_diag (NETLINK_SOCK_DIAG) dump replies: one recv()
// buffer at a time, no I/O, so tests replay recorded or hand-built bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "agent/collect/socket_tables/socket_table.hpp"

namespace telehub::agent {

struct DiagChunkResult {
    enum Status : std::uint8_t { more, done, failed };
    Status status = more;
    int error = 0;          // errno the kernel reported (NLMSG_ERROR, or NLMSG_DONE carrying one); 0 otherwise
    std::string_view what;  // static text naming what was wrong when failed
};

// Parses every netlink message in `chunk` (the bytes of one recv()) of the
// dump numbered `seq`. `family` says what the dump holds: unix means
// unix_diag_msg records, anything else inet_diag_msg records of that protocol.
// Appends one entry per socket to `out`. `more`: the dump continues in the
// next buffer; `done`: NLMSG_DONE seen; `failed`: a kernel error or a buffer
// that is truncated, out of bounds or not a sock_diag reply. On failure `out`
// may hold part of the dump: the caller discards it.
DiagChunkResult parse_diag_chunk(std::span<const std::byte> chunk, std::uint32_t seq, SocketFamily family,
                                 SocketTable& out);

}  // namespace telehub::agent
