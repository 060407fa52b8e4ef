#include "agent/collect/containers/cgroup_parse.hpp"

#define BOOST_TEST_MODULE cgroup_parse
#include <boost/test/unit_test.hpp>

#include <string>

#include "agent/collect/proc/proc_file.hpp"

using namespace telehub::agent;

namespace {

const std::string docker_id = "3f1a9c2e7b4d5a6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7";
const std::string k8s_id = "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c";
const std::string podman_id = "5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d";
const std::string pod_uid = "0f5e3a8c-1b2d-4e6f-8a9b-0c1d2e3f4a5b";

std::string recorded(const char* name) {
    std::string text;
    BOOST_REQUIRE(read_file(std::string(TELEHUB_TEST_DATA) + "/cgroup/" + name, text));
    return text;
}

// The container a recorded /proc/PID/cgroup names, and which hierarchy said so.
std::optional<ContainerRef> container(const char* name, CgroupHierarchy* which = nullptr) {
    auto g = parse_proc_cgroup(recorded(name));
    BOOST_REQUIRE_MESSAGE(g, name << " did not parse");
    return container_of(*g, which);
}

}  // namespace

BOOST_AUTO_TEST_CASE(docker_v1_cgroupfs_driver) {
    auto g = parse_proc_cgroup(recorded("docker-v1-cgroupfs.txt"));
    BOOST_REQUIRE(g);
    BOOST_TEST(g->cpuacct == "/docker/" + docker_id);
    BOOST_TEST(g->memory == "/docker/" + docker_id);
    BOOST_TEST(g->systemd == "/docker/" + docker_id);
    BOOST_TEST(g->v2 == "/system.slice/containerd.service");
    // The v2 line names the daemon's service; the v1 lines name the container,
    // and the container is what the process is in.
    CgroupHierarchy which{};
    auto ref = container_of(*g, &which);
    BOOST_REQUIRE(ref);
    BOOST_TEST(ref->runtime == "docker");
    BOOST_TEST(ref->id == docker_id);
    BOOST_TEST((which == CgroupHierarchy::systemd));
}

BOOST_AUTO_TEST_CASE(docker_v2_systemd_driver) {
    CgroupHierarchy which{};
    auto ref = container("docker-v2-systemd.txt", &which);
    BOOST_REQUIRE(ref);
    BOOST_TEST(ref->runtime == "docker");
    BOOST_TEST(ref->id == docker_id);
    BOOST_TEST((which == CgroupHierarchy::v2));
    BOOST_TEST(ref->end == std::string("/system.slice/docker-" + docker_id + ".scope").size());
}

BOOST_AUTO_TEST_CASE(kubernetes_containerd_systemd_driver) {
    auto ref = container("containerd-k8s-v2-systemd.txt");
    BOOST_REQUIRE(ref);
    BOOST_TEST(ref->runtime == "kubernetes");
    BOOST_TEST(ref->id == k8s_id);
    BOOST_TEST(ref->pod_uid == pod_uid);
}

BOOST_AUTO_TEST_CASE(kubernetes_cgroupfs_driver_v1) {
    CgroupHierarchy which{};
    auto ref = container("k8s-v1-cgroupfs.txt", &which);
    BOOST_REQUIRE(ref);
    BOOST_TEST(ref->runtime == "kubernetes");
    BOOST_TEST(ref->id == k8s_id);
    BOOST_TEST(ref->pod_uid == pod_uid);
    BOOST_TEST((which == CgroupHierarchy::systemd));
    auto guaranteed = container("k8s-guaranteed-v1-cgroupfs.txt");
    BOOST_REQUIRE(guaranteed);
    BOOST_TEST(guaranteed->pod_uid == pod_uid);
    BOOST_TEST(guaranteed->id == k8s_id);
}

BOOST_AUTO_TEST_CASE(podman_rootful_and_rootless) {
    auto ref = container("podman-v2.txt");
    BOOST_REQUIRE(ref);
    BOOST_TEST(ref->runtime == "podman");
    BOOST_TEST(ref->id == podman_id);
    // The payload sits in a "container" child; the container's cgroup is the scope.
    BOOST_TEST(ref->end == std::string("/machine.slice/libpod-" + podman_id + ".scope").size());
    auto rootless = container("podman-rootless-v2.txt");
    BOOST_REQUIRE(rootless);
    BOOST_TEST(rootless->runtime == "podman");  // not user@1000.service: a runtime wins over a unit
    BOOST_TEST(rootless->id == podman_id);
}

BOOST_AUTO_TEST_CASE(systemd_service_is_its_unit) {
    CgroupHierarchy which{};
    auto ref = container("systemd-service-hybrid.txt", &which);
    BOOST_REQUIRE(ref);
    BOOST_TEST(ref->runtime == "systemd");
    BOOST_TEST(ref->id == "nginx.service");
    BOOST_TEST((which == CgroupHierarchy::v2));
}

BOOST_AUTO_TEST_CASE(host_processes_have_no_container) {
    BOOST_TEST(!container("host-session-v2.txt"));
    BOOST_TEST(!container("host-v1-root.txt"));
}

BOOST_AUTO_TEST_CASE(malformed_lines_are_refused) {
    BOOST_TEST(!parse_proc_cgroup("0:/no-second-colon\n"));
    BOOST_TEST(!parse_proc_cgroup("0::relative/path\n"));
    BOOST_TEST(parse_proc_cgroup("").has_value());
}

BOOST_AUTO_TEST_CASE(paths_that_only_look_like_containers) {
    BOOST_TEST(!container_in_path("/docker/not-hex"));
    BOOST_TEST(!container_in_path("/system.slice/docker-abc.scope"));  // id too short
    BOOST_TEST(!container_in_path("/podfoo/" + k8s_id));               // "pod" outside kubepods
    BOOST_TEST(!container_in_path("/.service"));
    auto lxc = container_in_path("/lxc.payload.web1");
    BOOST_REQUIRE(lxc);
    BOOST_TEST(lxc->runtime == "lxc");
    BOOST_TEST(lxc->id == "web1");
}

BOOST_AUTO_TEST_CASE(mountinfo_hybrid) {
    auto m = parse_cgroup_mounts(recorded("mountinfo-hybrid.txt"));
    BOOST_TEST(m.v2 == "/sys/fs/cgroup/unified");
    BOOST_TEST(m.cpuacct == "/sys/fs/cgroup/cpu,cpuacct");
    BOOST_TEST(m.memory == "/sys/fs/cgroup/memory");
}

BOOST_AUTO_TEST_CASE(accounting_files) {
    BOOST_TEST(parse_cpu_stat_usage_usec("usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\n").value_or(0) ==
               123456u);
    BOOST_TEST(!parse_cpu_stat_usage_usec("user_usec 1\n"));
    BOOST_TEST(parse_cgroup_value("987654321\n").value_or(0) == 987654321u);
    BOOST_TEST(parse_cgroup_value("max\n").value_or(1) == 0u);
    BOOST_TEST(parse_cgroup_value("9223372036854771712\n").value_or(1) == 0u);  // v1's "no limit"
    BOOST_TEST(!parse_cgroup_value("lots\n"));
}
