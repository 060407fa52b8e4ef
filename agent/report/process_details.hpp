// Everything `ps` reports about each process (seed 001's fields, as Linux
// provides them), read on demand from a /proc root. A field the agent may not
// read (another user's exe, cwd, fd directory) is nullopt, never a guess.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collect/proc/proc.hpp"
#include "agent/collect/processes/processes.hpp"
#include "agent/collect/sockets/sockets.hpp"

namespace telehub::agent {

struct ProcessDetails {
    int pid = 0;
    int ppid = 0;
    std::string name;                         // comm
    std::optional<std::string> exe;           // "" for a process without one (kernel thread, zombie)
    std::optional<std::vector<std::string>> cmdline;
    std::optional<std::string> cwd;
    std::string username;                     // of the real uid (its number when passwd has none)
    IdTriple uids;
    IdTriple gids;
    std::string_view status;                  // process_status_name()
    int nice = 0;
    double create_time = 0;                   // unix seconds
    double cpu_percent = 0;                   // 100 = one full core
    double cpu_user = 0;                      // seconds
    double cpu_system = 0;
    std::uint64_t rss = 0;                    // bytes
    std::uint64_t vms = 0;
    std::optional<double> memory_percent;     // nullopt when MemTotal is unknown
    std::uint32_t num_threads = 0;
    std::optional<std::uint32_t> num_fds;
    std::optional<std::uint64_t> ctx_voluntary;
    std::optional<std::uint64_t> ctx_involuntary;
    std::optional<std::string> terminal;      // nullopt: no controlling terminal
    std::optional<ProcessSocketTally> connections;
    std::uint64_t starttime = 0;              // clock ticks after boot: (pid, starttime) names it
    bool kernel_thread = false;
};

// What a pass needs from outside /proc/PID: the sampler's last tick.
struct DetailsLookups {
    // CPU % over the last sampling interval; nullopt for a process the
    // sampler has not seen (reported as 0.0).
    std::function<std::optional<double>(int pid, std::uint64_t starttime)> cpu_percent;
    // Its sockets; nullptr when its fds could not be read or it is unknown
    // to the sampler (reported as null).
    std::function<const ProcessSocketTally*(int pid, std::uint64_t starttime)> connections;
};

class ProcessDetailsReader {
public:
    // `proc_root` is /proc, or a recorded tree in tests. ok() is false when
    // it cannot be listed.
    explicit ProcessDetailsReader(std::string proc_root);
    bool ok() const { return pids_ != nullptr && pids_->ok(); }

    // Every process, in /proc order; with `only_uid`, those whose real uid
    // it is. Processes that exit mid-pass are skipped.
    std::vector<ProcessDetails> read_all(const DetailsLookups& lookups, std::optional<std::uint32_t> only_uid = {});

    // One process; nullopt when it does not exist (or exits while read).
    std::optional<ProcessDetails> read_one(int pid, const DetailsLookups& lookups);

    // The real uid of every process, in /proc order, for `users`.
    std::vector<std::uint32_t> real_uids();

    // The name of a uid, through the same cache as `username`.
    const std::string& user_name(std::uint32_t uid) { return users_.name(uid); }

private:
    struct Host {
        double boot_time = 0;
        double ticks_per_s = 100;
        std::uint64_t page_size = 4096;
        std::uint64_t mem_total = 0;
    };
    void refresh_host();
    bool read_process(int pid, const DetailsLookups& lookups, std::optional<std::uint32_t> only_uid,
                      ProcessDetails& out);
    std::optional<std::string> read_link(int pid, const char* what, bool missing_is_empty);
    std::optional<std::uint32_t> count_fds(int pid);
    const char* path(int pid, const char* file);

    std::string proc_root_;
    DirFd root_;
    std::unique_ptr<ProcessPids> pids_;
    UserNames users_;
    Host host_;
    std::vector<int> pid_buf_;
    std::string stat_buf_;
    std::string buf_;
    char path_[48] = {};
};

}  // namespace telehub::agent
