// The public face of hub/api/: what other rooms may use.
#pragma once

#include "hub/api/access_rules.hpp"
#include "hub/api/filter_params.hpp"
#include "hub/api/host_route.hpp"
#include "hub/api/control_dispatch.hpp"
#include "hub/api/metrics_endpoint.hpp"
#include "hub/api/rest_api.hpp"
#include "hub/api/static_files.hpp"
