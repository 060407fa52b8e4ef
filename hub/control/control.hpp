// The public face of hub/control/: what other rooms may use.
#pragma once

#include "hub/control/agent_directory.hpp"
#include "hub/control/audit_log.hpp"
#include "hub/control/command_id.hpp"
#include "hub/control/command_relay.hpp"
#include "hub/control/control_request.hpp"
