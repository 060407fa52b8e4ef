#include "agent/collect/containers/container_names.hpp"

#include <nlohmann/json.hpp>

#include "agent/collect/proc/proc.hpp"

namespace telehub::agent {
namespace {

using json = nlohmann::json;

std::optional<json> parse_object(std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

std::optional<std::string> annotation(const json& config, const char* key) {
    auto a = config.find("annotations");
    if (a == config.end() || !a->is_object()) return std::nullopt;
    auto v = a->find(key);
    if (v == a->end() || !v->is_string() || v->get_ref<const std::string&>().empty()) return std::nullopt;
    return v->get<std::string>();
}

}  // namespace

std::optional<std::string> parse_docker_config_name(std::string_view text) {
    auto j = parse_object(text);
    if (!j) return std::nullopt;
    auto n = j->find("Name");
    if (n == j->end() || !n->is_string()) return std::nullopt;
    std::string name = n->get<std::string>();
    if (name.starts_with('/')) name.erase(0, 1);
    if (name.empty()) return std::nullopt;
    return name;
}

std::optional<std::string> parse_oci_kubernetes_name(std::string_view text) {
    auto j = parse_object(text);
    if (!j) return std::nullopt;
    // containerd's CRI plugin and CRI-O name the same two things differently.
    auto pod = annotation(*j, "io.kubernetes.cri.sandbox-name");
    if (!pod) pod = annotation(*j, "io.kubernetes.pod.name");
    auto container = annotation(*j, "io.kubernetes.cri.container-name");
    if (!container) container = annotation(*j, "io.kubernetes.container.name");
    if (!pod || !container) return std::nullopt;
    return *pod + "/" + *container;
}

std::string short_id(std::string_view id) { return std::string(id.substr(0, 12)); }

std::string container_name(const ContainerRoots& roots, std::string_view runtime, std::string_view id) {
    if (runtime == "systemd" || runtime == "lxc") return std::string(id);
    std::string text;
    const std::string sid(id);
    if (runtime == "docker" && read_file(roots.docker + "/containers/" + sid + "/config.v2.json", text))
        if (auto name = parse_docker_config_name(text)) return *name;
    if (runtime == "kubernetes") {
        if (read_file(roots.containerd + "/k8s.io/" + sid + "/config.json", text) ||
            read_file(roots.crio + "/" + sid + "/userdata/config.json", text))
            if (auto name = parse_oci_kubernetes_name(text)) return *name;
        if (read_file(roots.docker + "/containers/" + sid + "/config.v2.json", text))
            if (auto name = parse_docker_config_name(text)) return *name;
    }
    return short_id(id);
}

}  // namespace telehub::agent
