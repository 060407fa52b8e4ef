#include "agent/collect/containers/cgroup_parse.hpp"

#include <cctype>
#include <cstdint>

#include "agent/collect/proc/proc.hpp"

namespace telehub::agent {
namespace {

/* a v1 limit at or above 2^62 is the kernel's "no limit" (PAGE_COUNTER_MAX rounded to pages) */
constexpr std::uint64_t v1_unlimited = std::uint64_t{1} << 62;

bool has_controller(std::string_view list, std::string_view name) {
    while (!list.empty()) {
        auto comma = list.find(',');
        if (list.substr(0, comma) == name) return true;
        list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    }
    return false;
}

bool is_hex_id(std::string_view s) {
    if (s.size() < 12 || s.size() > 128) return false;
    for (char c : s)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

// "docker-ID.scope" with prefix "docker-" -> ID.
std::optional<std::string_view> scoped_id(std::string_view component, std::string_view prefix) {
    if (!component.starts_with(prefix) || !component.ends_with(".scope")) return std::nullopt;
    component.remove_prefix(prefix.size());
    component.remove_suffix(6);
    if (!is_hex_id(component)) return std::nullopt;
    return component;
}

// A container id in one path component, with its runtime.
std::optional<ContainerRef> runtime_component(std::string_view c, std::string_view parent) {
    struct Scope {
        std::string_view prefix, runtime;
    };
    static constexpr Scope scopes[] = {{"docker-", "docker"},
                                       {"cri-containerd-", "containerd"},
                                       {"libpod-", "podman"},
                                       {"crio-", "crio"}};
    for (const Scope& s : scopes)
        if (auto id = scoped_id(c, s.prefix)) return ContainerRef{std::string(s.runtime), std::string(*id), {}, 0};
    if (parent == "docker" && is_hex_id(c)) return ContainerRef{"docker", std::string(c), {}, 0};
    if (parent == "lxc" && !c.empty()) return ContainerRef{"lxc", std::string(c), {}, 0};
    if (c.starts_with("lxc.payload.") && c.size() > 12) return ContainerRef{"lxc", std::string(c.substr(12)), {}, 0};
    return std::nullopt;
}

// "pod<uid>" (cgroupfs) or "kubepods-<qos>-pod<uid_with_underscores>.slice" (systemd) -> uid with dashes.
std::optional<std::string> pod_uid(std::string_view c) {
    if (c.ends_with(".slice")) {
        auto at = c.rfind("-pod");
        if (!c.starts_with("kubepods") || at == std::string_view::npos) return std::nullopt;
        c = c.substr(at + 4, c.size() - at - 4 - 6);
    } else if (c.starts_with("pod")) {
        c.remove_prefix(3);
    } else {
        return std::nullopt;
    }
    if (c.size() < 8) return std::nullopt;
    std::string uid(c);
    for (char& ch : uid) {
        if (ch == '_') ch = '-';
        if (!std::isxdigit(static_cast<unsigned char>(ch)) && ch != '-') return std::nullopt;
    }
    return uid;
}

}  // namespace

std::optional<ProcCgroups> parse_proc_cgroup(std::string_view text) {
    ProcCgroups out;
    while (!text.empty()) {
        std::string_view line = next_line(text);
        if (line.empty()) continue;
        auto c1 = line.find(':');
        auto c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
        if (c2 == std::string_view::npos) return std::nullopt;
        std::string_view id = line.substr(0, c1);
        std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
        std::string_view path = line.substr(c2 + 1);
        if (path.empty() || path.front() != '/') return std::nullopt;
        if (id == "0" && controllers.empty()) out.v2.assign(path);
        else if (controllers == "name=systemd") out.systemd.assign(path);
        else {
            bool cpuacct = has_controller(controllers, "cpuacct");
            bool memory = has_controller(controllers, "memory");
            if (cpuacct) out.cpuacct.assign(path);
            if (memory) out.memory.assign(path);
            if (!cpuacct && !memory && out.other.empty() && path != "/") out.other.assign(path);
        }
    }
    return out;
}

std::optional<ContainerRef> container_in_path(std::string_view path) {
    std::optional<ContainerRef> service;
    std::optional<std::string> pod;
    std::string_view parent;
    std::size_t pos = 0;
    while (pos < path.size()) {
        if (path[pos] == '/') {
            ++pos;
            continue;
        }
        auto slash = path.find('/', pos);
        std::size_t end = slash == std::string_view::npos ? path.size() : slash;
        std::string_view c = path.substr(pos, end - pos);
        const bool under_kubepods = parent.starts_with("kubepods") || parent == "besteffort" || parent == "burstable";
        if (auto uid = pod_uid(c); uid && under_kubepods) pod = std::move(uid);
        if (auto ref = runtime_component(c, parent)) {
            if (pod) {
                ref->runtime = "kubernetes";
                ref->pod_uid = *pod;
            }
            ref->end = end;
            return ref;
        }
        if (pod && is_hex_id(c)) return ContainerRef{"kubernetes", std::string(c), *pod, end};
        if (c.ends_with(".service") && c.size() > 8) service = ContainerRef{"systemd", std::string(c), {}, end};
        parent = c;
        pos = end;
    }
    return service;
}

std::optional<ContainerRef> container_of(const ProcCgroups& g, CgroupHierarchy* hierarchy) {
    const std::pair<const std::string*, CgroupHierarchy> order[] = {{&g.v2, CgroupHierarchy::v2},
                                                                    {&g.systemd, CgroupHierarchy::systemd},
                                                                    {&g.cpuacct, CgroupHierarchy::cpuacct},
                                                                    {&g.memory, CgroupHierarchy::memory},
                                                                    {&g.other, CgroupHierarchy::other}};
    // A runtime's container in any hierarchy wins over a systemd unit: on a
    // v1 Docker host the v2 line names the daemon's service while the
    // process is in a container.
    std::optional<ContainerRef> unit;
    CgroupHierarchy unit_hierarchy = CgroupHierarchy::v2;
    for (const auto& [path, which] : order) {
        if (path->empty()) continue;
        auto ref = container_in_path(*path);
        if (!ref) continue;
        if (ref->runtime != "systemd") {
            if (hierarchy) *hierarchy = which;
            return ref;
        }
        if (!unit) {
            unit = std::move(ref);
            unit_hierarchy = which;
        }
    }
    if (unit && hierarchy) *hierarchy = unit_hierarchy;
    return unit;
}

CgroupMounts parse_cgroup_mounts(std::string_view mountinfo) {
    // "36 25 0:31 / /sys/fs/cgroup/memory rw,... shared:15 - cgroup cgroup rw,memory"
    CgroupMounts out;
    while (!mountinfo.empty()) {
        std::string_view line = next_line(mountinfo);
        auto dash = line.find(" - ");
        if (dash == std::string_view::npos) continue;
        std::string_view head = line.substr(0, dash);
        std::string_view tail = line.substr(dash + 3);
        std::string_view fields[5];
        for (auto& f : fields) f = next_word(head);
        std::string_view root = fields[3], mount_point = fields[4];
        if (root != "/" || mount_point.empty()) continue;  // a bind of a sub-tree: paths would not line up
        std::string_view fstype = next_word(tail);
        next_word(tail);  // source
        std::string_view options = next_word(tail);
        if (fstype == "cgroup2" && out.v2.empty()) out.v2.assign(mount_point);
        if (fstype != "cgroup") continue;
        if (has_controller(options, "cpuacct") && out.cpuacct.empty()) out.cpuacct.assign(mount_point);
        if (has_controller(options, "memory") && out.memory.empty()) out.memory.assign(mount_point);
    }
    return out;
}

std::optional<std::uint64_t> parse_cpu_stat_usage_usec(std::string_view text) {
    while (!text.empty()) {
        std::string_view line = next_line(text);
        if (next_word(line) != "usage_usec") continue;
        std::uint64_t v = 0;
        if (!take_u64(line, v)) return std::nullopt;
        return v;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parse_cgroup_value(std::string_view text) {
    std::string_view word = next_word(text);
    if (word.ends_with('\n')) word.remove_suffix(1);
    if (auto nl = word.find('\n'); nl != std::string_view::npos) word = word.substr(0, nl);
    if (word == "max") return 0;
    std::uint64_t v = 0;
    if (!to_u64(word, v)) return std::nullopt;
    return v >= v1_unlimited ? 0 : v;
}

}  // namespace telehub::agent
