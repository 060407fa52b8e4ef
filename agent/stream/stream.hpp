// The public face of agent/stream/: what other rooms may use.
#pragma once

#include "agent/stream/backfill_buffer.hpp"
#include "agent/stream/backoff.hpp"
#include "agent/stream/hub_client.hpp"
#include "agent/stream/hub_url.hpp"
