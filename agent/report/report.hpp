// The public face of agent/report/: what other rooms may use.
#pragma once

#include "agent/report/connections_report.hpp"
#include "agent/report/process_details.hpp"
#include "agent/report/process_json.hpp"
#include "agent/report/sample_text.hpp"
#include "agent/report/sockwatch.hpp"
#include "agent/report/top_report.hpp"
