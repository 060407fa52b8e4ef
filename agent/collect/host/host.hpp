// The public face of agent/collect/host/: what other rooms may use.
#pragma once

#include "agent/collect/host/cpu_collector.hpp"
#include "agent/collect/host/cpu_parse.hpp"
#include "agent/collect/host/host_info.hpp"
#include "agent/collect/host/net_counters.hpp"
