// The public face of agent/control/: what other rooms may use.
#pragma once

#include "agent/control/command_args.hpp"
#include "agent/control/command_executor.hpp"
#include "agent/control/command_policy.hpp"
