// Turns host summaries into the JSON of docs/protocol.md: the /ws/live
// snapshot and summaries frames and the GET /api/hosts body. Built once per
// filter per second and shared between clients, so it returns plain strings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/state/host_summary.hpp"

namespace telehub::hub {

nlohmann::json summary_json(const HostSummary& s);
nlohmann::json counts_json(const HostCounts& c);

// One set of summaries, in frames of at most `hosts_per_part` hosts each (at
// least one frame): {"type":"summaries","ts_ms":..,"high_cpu":..,"counts":{..},
// "part":0,"parts":N,"hosts":[summary...]}. In parts so that the
// frames a dashboard follows in detail are not held behind a whole fleet's.
std::vector<std::string> build_summaries_frames(std::int64_t ts_ms, double high_cpu, const HostCounts& counts,
                                                const std::vector<HostSummary>& hosts, std::size_t hosts_per_part);

// {"type":"snapshot",...} with each host's "spark".
std::string build_snapshot_frame(std::int64_t ts_ms, double high_cpu, const HostCounts& counts,
                                 const std::vector<HostSnapshot>& hosts);

// The GET /api/hosts body: {"high_cpu":..,"counts":{..},"hosts":[summary...]}
std::string build_hosts_body(double high_cpu, const HostCounts& counts, const std::vector<HostSummary>& hosts);

}  // namespace telehub::hub
