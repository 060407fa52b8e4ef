// The public face of hub/auth/: what other rooms may use.
#pragma once

#include "hub/auth/access_tokens.hpp"
#include "hub/auth/credential_file.hpp"
#include "hub/auth/kept_admin_token.hpp"
