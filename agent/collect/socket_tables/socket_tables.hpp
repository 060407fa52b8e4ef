// The public face of agent/collect/socket_tables/: what other rooms may use.
#pragma once

#include "agent/collect/socket_tables/netlink_diag_parser.hpp"
#include "agent/collect/socket_tables/netlink_diag_reader.hpp"
#include "agent/collect/socket_tables/netns_socket.hpp"
#include "agent/collect/socket_tables/proc_net_parser.hpp"
#include "agent/collect/socket_tables/proc_net_reader.hpp"
#include "agent/collect/socket_tables/socket_entry.hpp"
#include "agent/collect/socket_tables/socket_table.hpp"
