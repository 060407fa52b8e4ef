// The public face of hub/store/: what other rooms may use.
#pragma once

#include "hub/store/history_store.hpp"
