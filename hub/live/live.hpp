// The public face of hub/live/: what other rooms may use.
#pragma once

#include "hub/live/live_hub.hpp"
#include "hub/live/live_queue.hpp"
