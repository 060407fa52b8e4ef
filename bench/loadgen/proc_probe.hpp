// What the load generator reads about a process from /proc: CPU time, RSS,
// its open-file limit, and which process listens on a loopback port. The
// parsers take the file's text and return nullopt on anything odd; the
// reader takes the /proc root so it can be pointed at a recorded tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace telehub::loadgen {

// utime + stime in clock ticks, from /proc/PID/stat (fields 14 and 15; the
// comm field ends at the last ')').
std::optional<std::uint64_t> parse_cpu_ticks(std::string_view stat);

// VmRSS in kB from /proc/PID/status.
std::optional<std::uint64_t> parse_vm_rss_kb(std::string_view status);

// write_bytes (bytes the process caused to be sent to storage) from /proc/PID/io.
std::optional<std::uint64_t> parse_write_bytes(std::string_view io);

// The inode of the socket in /proc/net/tcp listening on `port` (any local
// address); nullopt if there is none.
std::optional<std::uint64_t> parse_listen_inode(std::string_view proc_net_tcp, std::uint16_t port);

class ProcProbe {
public:
    explicit ProcProbe(std::string proc_root = "/proc");

    std::optional<std::uint64_t> cpu_ticks(pid_t pid) const;
    std::optional<std::uint64_t> rss_kb(pid_t pid) const;
    std::optional<std::uint64_t> write_bytes(pid_t pid) const;
    // The pid holding the listening socket of `port`, by its inode in
    // /proc/net/tcp and a scan of /proc/*/fd; nullopt if not found (another
    // user's process, or nothing listens).
    std::optional<pid_t> listener_pid(std::uint16_t port) const;

    static double ticks_per_second();

private:
    std::optional<std::string> read(const std::string& rel) const;
    std::string root_;
};

}  // namespace telehub::loadgen
