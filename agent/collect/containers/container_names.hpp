// Names for containers, from the runtimes' own metadata on disk: Docker's
// config.v2.json ("Name"), and the OCI config.json containerd and CRI-O keep
// for a Kubernetes container (the pod and container names are annotations).
// Read once per container; parsed here with nlohmann/json, off the per-tick
// path. Without metadata a container is named by its short id.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace telehub::agent {

struct ContainerRoots {
    std::string docker = "/var/lib/docker";                                      // containers/ID/config.v2.json
    std::string containerd = "/run/containerd/io.containerd.runtime.v2.task";  // NAMESPACE/ID/config.json
    std::string crio = "/run/containers/storage/overlay-containers";          // ID/userdata/config.json
};

// Docker's config.v2.json -> its Name without the leading '/'.
std::optional<std::string> parse_docker_config_name(std::string_view json);

// An OCI config.json with Kubernetes annotations -> "POD/CONTAINER".
std::optional<std::string> parse_oci_kubernetes_name(std::string_view json);

// The first 12 characters of an id, as docker ps shows it.
std::string short_id(std::string_view id);

// The best name the metadata under `roots` gives (runtime as container_in_path names it).
std::string container_name(const ContainerRoots& roots, std::string_view runtime, std::string_view id);

}  // namespace telehub::agent
