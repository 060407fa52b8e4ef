// The public face of hub/log/: what other rooms may use.
#pragma once

#include "hub/log/hub_stats.hpp"
#include "hub/log/terminal_log.hpp"
