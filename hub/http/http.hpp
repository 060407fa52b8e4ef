// The public face of hub/http/: what other rooms may use.
#pragma once

#include "hub/http/http_reply.hpp"
#include "hub/http/json_body.hpp"
#include "hub/http/query_string.hpp"
