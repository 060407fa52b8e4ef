// The hub's counters (GET /api/stats, /healthz). Lock-free atomics so any
// io thread can bump them without contention.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace telehub::hub {

// Why a frame from an agent was refused; each has a counter.
enum class RefuseReason : std::size_t {
    bad_json,
    wrong_type,
    missing_field,
    unknown_type,
    bad_value,
    no_hello,        // a sample before the hello
    repeated_hello,  // a second hello on one connection
    bad_protocol,    // a hello with a protocol version this hub does not speak
    host_mismatch,   // a sample whose host_id differs from the hello's
    binary_frame,
    frame_too_big,
    bad_token,       // a hello without the agent token this hub requires
    host_not_allowed,  // a hello for a host id the agent's credential may not speak for
    host_limit,        // a hello for a new host id when --max-hosts hosts are held and none may be forgotten
    bad_utf8,          // a text frame that is not UTF-8 (RFC 6455: closed with 1007)
    duplicate_field,   // a key sent twice in one object of a frame
    count_
};

// How a relayed command ended (docs/protocol.md, "Commands"); each has a counter.
enum class CommandOutcome : std::size_t {
    ok,                  // the agent did it (or answered the query)
    agent_error,         // the agent refused or failed, with its own error code
    not_found,           // no such host
    host_offline,        // known host, no agent connected
    too_many_commands,   // the host's pending commands were at their bound
    agent_timeout,       // no reply by --command-timeout
    agent_disconnected,  // the agent's connection ended first
    count_
};

std::string_view command_outcome_name(CommandOutcome o);
// The outcome of a finished command: `ok`, else one of the hub's own error
// codes, else the agent's error (whatever code the agent sent).
CommandOutcome command_outcome_of(bool ok, std::string_view error_code);

std::string_view refuse_reason_name(RefuseReason r);
// Maps a codec error code ("bad_json", ...) to its reason; bad_value for unknown codes.
RefuseReason refuse_reason_from_code(std::string_view code);

struct HubStats {
    std::atomic<std::uint64_t> samples_received{0};
    std::atomic<std::uint64_t> bytes_received{0};  // payload bytes of every agent frame
    std::atomic<std::uint64_t> gaps{0};            // samples missed, by seq jumps
    std::atomic<std::uint64_t> duplicates{0};
    std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(RefuseReason::count_)> refused{};
    std::atomic<std::uint64_t> agents_connected{0};  // agent sessions open now
    std::atomic<std::uint64_t> agents_replaced{0};
    std::atomic<std::uint64_t> live_clients{0};       // /ws/live sessions open now
    std::atomic<std::uint64_t> live_clients_dropped{0};  // closed for not keeping up
    std::atomic<std::uint64_t> live_messages_dropped{0}; // stale summaries replaced before sending
    std::atomic<std::uint64_t> http_requests{0};
    std::atomic<std::uint64_t> auth_failures{0};  // requests refused 401/403 for their token, agents for theirs
    std::atomic<std::uint64_t> tls_handshake_failures{0};  // TLS connections that ended before their handshake completed
    std::atomic<std::uint64_t> commands{0};       // process-control and on-demand requests past the token check
    std::atomic<std::uint64_t> hosts_forgotten{0};  // by DELETE, --forget-after, or to make room under --max-hosts
    std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(CommandOutcome::count_)> command_outcomes{};

    void command_done(CommandOutcome o) {
        command_outcomes[static_cast<std::size_t>(o)].fetch_add(1, std::memory_order_relaxed);
    }
    void refuse(RefuseReason r) { refused[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t refused_total() const;
};

// The counters as JSON; `log_lines_dropped` comes from the terminal log.
nlohmann::json stats_json(const HubStats& s, std::uint64_t log_lines_dropped);

}  // namespace telehub::hub
