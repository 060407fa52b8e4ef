// The public face of agent/collect/sockets/: what other rooms may use.
#pragma once

#include "agent/collect/sockets/leak_detector.hpp"
#include "agent/collect/sockets/netns_tables.hpp"
#include "agent/collect/sockets/socket_churn.hpp"
#include "agent/collect/sockets/socket_collector.hpp"
#include "agent/collect/sockets/socket_inode_index.hpp"
#include "agent/collect/sockets/socket_owner_map.hpp"
