// The public face of agent/collect/: what other rooms may use.
#pragma once

#include "agent/collect/sampler.hpp"
