// The JSON shapes of the on-demand queries' results (docs/protocol.md,
// "Commands"): a `process` of `ps` and `tasks`, and the sockets and top
// reports as rows.
#pragma once

#include <span>

#include <nlohmann/json.hpp>

#include "agent/report/connections_report.hpp"
#include "agent/report/process_details.hpp"
#include "agent/report/top_report.hpp"

namespace telehub::agent {

// Seed 001's field names; an unreadable field is null.
nlohmann::json process_json(const ProcessDetails& p);

// {"ESTABLISHED":3,"LISTEN":1,"udp":0,"unix":2}: the TCP states in use, then
// udp and unix always.
nlohmann::json connections_json(const ProcessSocketTally& t);

// [{"pid":1234,"laddr":..,"raddr":..,"status":..}], pid null when no owner was found.
nlohmann::json connection_rows_json(std::span<const ConnectionRow> rows);

// [{"name":..,"pid":..,"utime":..,"stime":..}]
nlohmann::json top_rows_json(std::span<const TopTicksRow> rows);

}  // namespace telehub::agent
