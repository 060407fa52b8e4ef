// The public face of hub/metrics/: what other rooms may use.
#pragma once

#include "hub/metrics/cluster_metrics.hpp"
#include "hub/metrics/exposition.hpp"
#include "hub/metrics/metrics_body.hpp"
#include "hub/metrics/metrics_scraper.hpp"
