// Per-container figures each tick. Processes are tied to containers by
// /proc/PID/cgroup (cgroup_parse.hpp), cached by (pid, starttime) and read
// again every 16th tick per process (a process may be moved to another
// cgroup after it started). Each container's CPU and memory come from its
// cgroup's own accounting, read once per tick through directory fds held
// while the container has processes: cpu.stat usage_usec (v2) or
// cpuacct.usage (v1), memory.current/memory.max (v2) or
// memory.usage_in_bytes/limit_in_bytes (v1). Its sockets, churn and leak
// suspects are its processes'.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/collect/containers/cgroup_parse.hpp"
#include "agent/collect/containers/container_names.hpp"
#include "agent/collect/proc/proc.hpp"
#include "agent/collect/sockets/sockets.hpp"
#include "telehub/sample.hpp"

namespace telehub::agent {

struct ContainerOptions {
    std::string proc_root = "/proc";
    ContainerRoots roots;
    /* containers listed per sample besides those with leak suspects (--top-containers) */
    std::size_t top = 20;
};

class ContainerCollector {
public:
    explicit ContainerCollector(ContainerOptions options);
    ~ContainerCollector();
    ContainerCollector(const ContainerCollector&) = delete;
    ContainerCollector& operator=(const ContainerCollector&) = delete;

    // Every tick, after the process scan: which container each process is
    // in, and each container's cgroup accounting.
    void update(const ProcessList& procs);

    // After the sockets, churn and leaks of the same tick are in `out`:
    // fills out.containers and containers_total, and the container of every
    // process listed in top, by_process, churn_by_process, leaks and netns.
    void fill(const ProcessList& procs, const SocketCollector& sockets, const SocketChurnCollector& churn,
              Sample& out);

    // The name of pid's container at the last update(); empty for the host.
    const std::string& container_of(int pid) const;

private:
    struct Container;
    struct Member {
        std::uint64_t starttime = 0;
        std::uint64_t seen_tick = 0;
        Container* container = nullptr;
    };

    Container* lookup(int pid) const;
    Container* assign(int pid);
    Container* open_container(const ProcCgroups& g, const ContainerRef& ref);
    void read_accounting(Container& c, std::int64_t now_ns);
    void name_owners(const ProcessList& procs, const SocketCollector& sockets, Sample& out);

    ContainerOptions options_;
    DirFd proc_;
    CgroupMounts mounts_;
    std::uint64_t tick_ = 0;
    std::unordered_map<int, Member> members_;
    std::unordered_map<std::string, std::unique_ptr<Container>> containers_;  // by runtime + id
    std::vector<Container*> listed_;  // scratch
    std::string text_;                // scratch
};

}  // namespace telehub::agent
