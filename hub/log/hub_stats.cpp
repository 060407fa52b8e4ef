#include "hub/log/hub_stats.hpp"

#include <nlohmann/json.hpp>

namespace telehub::hub {
namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(RefuseReason::count_)> reason_names = {
    "bad_json",    "wrong_type",   "missing_field", "unknown_type",  "bad_value",    "no_hello",
    "repeated_hello", "bad_protocol", "host_mismatch", "binary_frame", "frame_too_big",
    "bad_token", "host_not_allowed", "host_limit", "bad_utf8", "duplicate_field"};

constexpr std::array<std::string_view, static_cast<std::size_t>(CommandOutcome::count_)> outcome_names = {
    "ok", "agent_error", "not_found", "host_offline", "too_many_commands", "agent_timeout", "agent_disconnected"};

}  // namespace

std::string_view command_outcome_name(CommandOutcome o) { return outcome_names[static_cast<std::size_t>(o)]; }

CommandOutcome command_outcome_of(bool ok, std::string_view error_code) {
    if (ok) return CommandOutcome::ok;
    // Only the hub's own codes map to their outcome; every other code is the agent's.
    for (std::size_t i = 2; i < outcome_names.size(); ++i)
        if (outcome_names[i] == error_code) return static_cast<CommandOutcome>(i);
    return CommandOutcome::agent_error;
}

std::string_view refuse_reason_name(RefuseReason r) { return reason_names[static_cast<std::size_t>(r)]; }

RefuseReason refuse_reason_from_code(std::string_view code) {
    for (std::size_t i = 0; i < reason_names.size(); ++i)
        if (reason_names[i] == code) return static_cast<RefuseReason>(i);
    return RefuseReason::bad_value;
}

std::uint64_t HubStats::refused_total() const {
    std::uint64_t n = 0;
    for (const auto& r : refused) n += r.load(std::memory_order_relaxed);
    return n;
}

nlohmann::json stats_json(const HubStats& s, std::uint64_t log_lines_dropped) {
    auto get = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    nlohmann::json by_reason = nlohmann::json::object();
    for (std::size_t i = 0; i < reason_names.size(); ++i) by_reason[std::string(reason_names[i])] = get(s.refused[i]);
    nlohmann::json by_outcome = nlohmann::json::object();
    for (std::size_t i = 0; i < outcome_names.size(); ++i)
        by_outcome[std::string(outcome_names[i])] = get(s.command_outcomes[i]);
    return {{"samples_received", get(s.samples_received)},
            {"bytes_received", get(s.bytes_received)},
            {"frames_refused", s.refused_total()},
            {"frames_refused_by_reason", std::move(by_reason)},
            {"gaps", get(s.gaps)},
            {"duplicates", get(s.duplicates)},
            {"log_lines_dropped", log_lines_dropped},
            {"agents_connected", get(s.agents_connected)},
            {"agents_replaced", get(s.agents_replaced)},
            {"live_clients", get(s.live_clients)},
            {"live_clients_dropped", get(s.live_clients_dropped)},
            {"live_messages_dropped", get(s.live_messages_dropped)},
            {"http_requests", get(s.http_requests)},
            {"auth_failures", get(s.auth_failures)},
            {"tls_handshake_failures", get(s.tls_handshake_failures)},
            {"commands", get(s.commands)},
            {"hosts_forgotten", get(s.hosts_forgotten)},
            {"commands_by_outcome", std::move(by_outcome)}};
}

}  // namespace telehub::hub
