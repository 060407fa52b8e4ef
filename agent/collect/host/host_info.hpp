// Who this host is: the identity and facts the agent announces in its hello.
#pragma once

#include <string>

#include "telehub/sample.hpp"

namespace telehub::agent {

// /etc/machine-id when readable and non-empty, else the hostname.
std::string default_host_id();

// Fills hostname, kernel release, cores and boot time (from <proc_root>/stat
// btime). Leaves protocol, host id, interval and capabilities to the caller.
Hello describe_host(const std::string& proc_root);

}  // namespace telehub::agent
