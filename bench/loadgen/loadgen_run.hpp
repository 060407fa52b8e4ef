// A whole load-generator run: reach the hub (or start one), connect the
// dashboards, grow the fleet step by step (one step unless --ramp), measure
// a window at each step, stop everything it started. Progress goes to
// stderr; the caller prints the results.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/loadgen_options.hpp"
#include <nlohmann/json.hpp>

#include "loadgen/window_report.hpp"

namespace telehub::loadgen {

// --restart-after: the hub killed and started again under a streaming fleet.
struct RestartResult {
    std::string how;                     // "SIGKILL" or "SIGTERM", and how the old hub ended
    std::size_t agents = 0;              // agents live at the kill
    double hub_down_s = 0;               // the kill until the new hub answered /healthz
    std::optional<std::uint64_t> restored_hosts, restore_ms;  // the new hub's history store, read back at its start
    std::optional<double> all_back_s;    // the kill until every one was welcomed by the new hub
    std::optional<double> half_back_s, p90_back_s, p99_back_s;
    std::size_t back = 0;                // welcomed by the new hub before the timeout
    std::uint64_t tls_handshakes = 0, tls_resumed = 0;  // from the kill to the end
    std::uint64_t reconnect_attempts = 0, reconnect_failures = 0;
    std::uint64_t replayed = 0;          // samples sent again from the agents' buffers
    std::uint64_t generated_after_kill = 0;
    std::uint64_t unsent_at_check = 0;   // made but not written when the hub was checked
    // The new hub's view, checked per agent after the fleet was paused and drained.
    std::uint64_t lost = 0;              // seqs an agent made after the kill that the hub does not hold
    std::size_t agents_with_loss = 0;
    std::uint64_t expected_gaps = 0;     // seqs before each agent's replay: the old hub's, gone with it
    std::optional<std::uint64_t> hub_gaps, hub_duplicates, hub_samples;
    std::optional<double> hub_cpu_s_until_back;  // the new hub's CPU from its start until all were back
    std::optional<double> loadgen_cpu_s_until_back;  // the load generator's, from the kill until all were back
    bool checked = false;                // the hub's view was read
    std::string verdict;
};

// --reconnect-every: the churn of the whole run and, after the window, every
// agent's newest seq against the host's latest seq and gap count in the hub.
struct ChurnResult {
    std::uint64_t random_drops = 0, reconnect_attempts = 0, reconnect_failures = 0;
    std::uint64_t replayed = 0, unbuffered = 0, commands_answered = 0, generated = 0;
    std::uint64_t unsent_at_check = 0;  // made but not written when the hub was read
    bool checked = false;               // the hub's view was read
    std::size_t agents_checked = 0;
    std::size_t agents_behind = 0;      // the hub's latest seq below the agent's newest
    std::uint64_t samples_behind = 0;
    std::uint64_t host_gaps = 0;        // the sum of the hub's per-host gap counts over the fleet
    std::size_t agents_with_gaps = 0;
};

struct RunResult {
    std::vector<WindowResult> windows;
    std::optional<std::size_t> max_sustained;  // --ramp: largest agent count that kept up
    std::string hub;                           // ADDR:PORT measured
    std::optional<int> hub_pid;
    std::vector<std::string> errors;           // distinct errors seen, with counts
    std::string stopped_early;                 // why the run ended before its last step, if it did
    bool tls = false;
    std::string tls_pin;                       // the pinned hub fingerprint, empty: not verified
    std::uint64_t tls_handshakes = 0, tls_resumed = 0;  // the whole run
    std::optional<RestartResult> restart;
    std::optional<ChurnResult> churn;
};

nlohmann::json to_json(const RestartResult& r);
nlohmann::json to_json(const ChurnResult& r);

// Throws std::runtime_error for start-up failures (no hub, fd limits).
// `interrupted` is polled; when set the run ends at the next check.
RunResult run_loadgen(const LoadgenOptions& o, const std::atomic<bool>& interrupted);

}  // namespace telehub::loadgen
