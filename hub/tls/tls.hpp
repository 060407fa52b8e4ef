// The public face of hub/tls/: what other rooms may use.
#pragma once

#include "hub/tls/self_signed.hpp"
#include "hub/tls/server_tls.hpp"
