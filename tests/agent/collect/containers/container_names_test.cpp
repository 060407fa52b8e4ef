#include "agent/collect/containers/container_names.hpp"

#define BOOST_TEST_MODULE container_names
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "agent/collect/proc/proc_file.hpp"

using namespace telehub::agent;

namespace {

const std::string docker_id = "3f1a9c2e7b4d5a6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7";
const std::string k8s_id = "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c";

std::string recorded(const char* name) {
    std::string text;
    BOOST_REQUIRE(read_file(std::string(TELEHUB_TEST_DATA) + "/cgroup/" + name, text));
    return text;
}

// A throwaway metadata tree laid out as the runtimes lay theirs, removed at the end.
struct MetadataTree {
    std::filesystem::path root;
    MetadataTree() {
        char tmpl[] = "/tmp/telehub-names-XXXXXX";
        BOOST_REQUIRE(::mkdtemp(tmpl));
        root = tmpl;
    }
    ~MetadataTree() { std::filesystem::remove_all(root); }
    void put(const std::string& relative, const std::string& text) {
        auto p = root / relative;
        std::filesystem::create_directories(p.parent_path());
        FILE* f = std::fopen(p.c_str(), "w");
        BOOST_REQUIRE(f);
        std::fwrite(text.data(), 1, text.size(), f);
        std::fclose(f);
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(recorded_docker_config) {
    BOOST_TEST(parse_docker_config_name(recorded("docker-config.v2.json")).value_or("") == "web-frontend");
}

BOOST_AUTO_TEST_CASE(recorded_containerd_kubernetes_config) {
    BOOST_TEST(parse_oci_kubernetes_name(recorded("containerd-k8s-config.json")).value_or("") ==
               "coredns-5dd5756b68-x7k2p/coredns");
}

BOOST_AUTO_TEST_CASE(bad_metadata_gives_no_name) {
    BOOST_TEST(!parse_docker_config_name("{\"Name\":42}"));
    BOOST_TEST(!parse_docker_config_name("{\"Name\":\"/\"}"));
    BOOST_TEST(!parse_docker_config_name("not json"));
    BOOST_TEST(!parse_oci_kubernetes_name("{\"annotations\":{\"io.kubernetes.cri.container-name\":\"x\"}}"));
}

BOOST_AUTO_TEST_CASE(names_from_the_runtimes_trees_else_the_short_id) {
    MetadataTree t;
    ContainerRoots roots{(t.root / "docker").string(), (t.root / "containerd").string(), (t.root / "crio").string()};
    BOOST_TEST(container_name(roots, "docker", docker_id) == "3f1a9c2e7b4d");
    t.put("docker/containers/" + docker_id + "/config.v2.json", recorded("docker-config.v2.json"));
    BOOST_TEST(container_name(roots, "docker", docker_id) == "web-frontend");
    BOOST_TEST(container_name(roots, "kubernetes", k8s_id) == "9b8c7d6e5f4a");
    t.put("containerd/k8s.io/" + k8s_id + "/config.json", recorded("containerd-k8s-config.json"));
    BOOST_TEST(container_name(roots, "kubernetes", k8s_id) == "coredns-5dd5756b68-x7k2p/coredns");
    BOOST_TEST(container_name(roots, "systemd", "nginx.service") == "nginx.service");
}
