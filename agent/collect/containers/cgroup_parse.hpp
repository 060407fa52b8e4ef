// Pure parsers for what ties a process to its container: the lines of
// /proc/PID/cgroup (v1 and v2), the cgroup paths container runtimes and
// systemd make, and /proc/self/mountinfo's cgroup mounts. Text in, values
// out, no I/O, so tests feed recorded lines.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace telehub::agent {

// The paths of one process's cgroups that matter here. Empty when absent.
struct ProcCgroups {
    std::string v2;       // the "0::" line (the unified hierarchy)
    std::string systemd;  // v1 "name=systemd"
    std::string cpuacct;  // v1 hierarchy holding the cpuacct controller
    std::string memory;   // v1 hierarchy holding the memory controller
    std::string other;    // the first other v1 path below the root
};

// nullopt when a line is not "ID:CONTROLLERS:PATH".
std::optional<ProcCgroups> parse_proc_cgroup(std::string_view text);

struct ContainerRef {
    std::string runtime;  // docker, containerd, podman, crio, lxc, kubernetes, systemd
    std::string id;       // the runtime's id (64 hex digits), or the unit name ("nginx.service")
    std::string pod_uid;  // kubernetes: the pod's uid with dashes
    std::size_t end = 0;  // length of the path up to and including the container's own cgroup
};

// The container a cgroup path names: Docker (docker-ID.scope, /docker/ID),
// containerd (cri-containerd-ID.scope), Podman (libpod-ID.scope), CRI-O
// (crio-ID.scope), LXC (/lxc/NAME, lxc.payload.NAME), Kubernetes (a
// kubepods path with the pod's uid; cgroupfs and systemd drivers), and a
// systemd service as its unit (the deepest "*.service"). nullopt: the host.
std::optional<ContainerRef> container_in_path(std::string_view path);

// The container of a process: from its v2 path, else name=systemd, else
// its cpuacct, memory or other v1 path. `hierarchy` tells which matched.
enum class CgroupHierarchy { v2, systemd, cpuacct, memory, other };
std::optional<ContainerRef> container_of(const ProcCgroups& cgroups, CgroupHierarchy* hierarchy = nullptr);

// Where the hierarchies are mounted, from /proc/self/mountinfo. Empty when
// not mounted.
struct CgroupMounts {
    std::string v2;
    std::string cpuacct;
    std::string memory;
};
CgroupMounts parse_cgroup_mounts(std::string_view mountinfo);

// "cpu.stat" (v2) -> usage_usec.
std::optional<std::uint64_t> parse_cpu_stat_usage_usec(std::string_view text);
// One number on a line ("cpuacct.usage", "memory.current"); "max" reads as 0.
std::optional<std::uint64_t> parse_cgroup_value(std::string_view text);

}  // namespace telehub::agent
