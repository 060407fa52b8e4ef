// The public face of hub/history/: what other rooms may use.
#pragma once

#include "hub/history/history_block.hpp"
#include "hub/history/history_ring.hpp"
#include "hub/history/minute_tier.hpp"
#include "hub/history/saved_host.hpp"
