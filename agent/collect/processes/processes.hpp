// The public face of agent/collect/processes/: what other rooms may use.
#pragma once

#include "agent/collect/processes/process_collector.hpp"
#include "agent/collect/processes/process_parse.hpp"
