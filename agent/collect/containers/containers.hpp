// The public face of agent/collect/containers/: what other rooms may use.
#pragma once

#include "agent/collect/containers/cgroup_parse.hpp"
#include "agent/collect/containers/container_collector.hpp"
#include "agent/collect/containers/container_names.hpp"
