// The public face of hub/net/: what other rooms may use.
#pragma once

#include "hub/net/agent_session.hpp"
#include "hub/net/listener.hpp"
