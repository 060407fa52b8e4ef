// The public face of hub/cluster/: several hubs, one fleet, through Redis.
#pragma once

#include "hub/cluster/cluster_member.hpp"
#include "hub/cluster/fleet_batch.hpp"
#include "hub/cluster/redis_tls_tunnel.hpp"
#include "hub/cluster/redis_url.hpp"
#include "hub/cluster/remote_command.hpp"
