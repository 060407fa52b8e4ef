// Pure parsers for the per-process files: /proc/PID/stat, /proc/PID/status
// and /proc/PID/cmdline. No I/O here, so tests feed recorded text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telehub::agent {

// PF_KTHREAD in the stat "flags" field marks a kernel thread.
inline constexpr std::uint32_t kPfKthread = 0x00200000;

// The fields of /proc/PID/stat the collectors use (proc(5) numbering).
struct PidStat {
    int pid = 0;                    // 1
    std::string_view comm;          // 2, without the parentheses; points into the parsed text
    char state = '?';               // 3
    int ppid = 0;                   // 4
    std::uint32_t tty_nr = 0;       // 7, controlling terminal device (0: none)
    std::uint32_t flags = 0;        // 9
    std::uint64_t utime = 0;        // 14, clock ticks
    std::uint64_t stime = 0;        // 15, clock ticks
    int nice = 0;                   // 19
    std::uint32_t num_threads = 0;  // 20
    std::uint64_t starttime = 0;    // 22, clock ticks after boot
    std::uint64_t vsize = 0;        // 23, virtual memory size in bytes
    std::uint64_t rss_pages = 0;    // 24 (a transiently negative count reads as 0)

    bool kernel_thread() const { return (flags & kPfKthread) != 0; }
};

// comm may hold spaces, parentheses and even ") (", so it runs from the first
// '(' to the LAST ')'. nullopt on an empty or truncated text (fewer than 24
// fields) or a malformed number.
std::optional<PidStat> parse_pid_stat(std::string_view text);

// The real uid (first number of the "Uid:" line) of /proc/PID/status.
std::optional<std::uint32_t> parse_status_uid(std::string_view text);

// Real, effective and saved ids, as the first three numbers of a "Uid:" or
// "Gid:" line (the fourth, the filesystem id, is not reported).
struct IdTriple {
    std::uint32_t real = 0;
    std::uint32_t effective = 0;
    std::uint32_t saved = 0;
};

// The /proc/PID/status fields of a `ps` entry. The context switch counts
// are missing from old kernels and from zombies, hence optional.
struct StatusIds {
    IdTriple uids;
    IdTriple gids;
    std::optional<std::uint64_t> voluntary_ctxt_switches;
    std::optional<std::uint64_t> nonvoluntary_ctxt_switches;
};

// nullopt when the Uid or Gid line is missing or malformed.
std::optional<StatusIds> parse_status_ids(std::string_view text);

// psutil's name for a state letter of /proc/PID/stat ("running" for 'R',
// "disk-sleep" for 'D', ...); "unknown" for a letter it does not know.
std::string_view process_status_name(char state);

// /proc/PID/cmdline as its arguments: split at NULs, trailing NULs dropped.
// A process that rewrote its argv into one space-separated string (nginx,
// postgres) comes back as that one string, as ps shows it.
std::vector<std::string> split_cmdline(std::string_view raw);

// Display form of /proc/PID/cmdline: NUL-separated arguments joined by single
// spaces, trailing NULs dropped, cut to kCmdlineMax bytes (never inside a
// UTF-8 sequence). Empty for kernel threads and zombies, whose cmdline is
// empty. Writes into `out`, reusing its capacity.
inline constexpr std::size_t kCmdlineMax = 256;
void format_cmdline(std::string_view raw, std::string& out);
std::string format_cmdline(std::string_view raw);

}  // namespace telehub::agent
