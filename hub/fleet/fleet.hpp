// The public face of hub/fleet/: process names across every host (the
// aggregate a sample at a time) and its REST reply.
#pragma once

#include "hub/fleet/fleet_api.hpp"
#include "hub/fleet/fleet_processes.hpp"
