// The public face of hub/state/: what other rooms may use.
#pragma once

#include "hub/state/history_body.hpp"
#include "hub/state/host_filter.hpp"
#include "hub/state/host_registry.hpp"
#include "hub/state/remote_hosts.hpp"
#include "hub/state/summary_builder.hpp"
