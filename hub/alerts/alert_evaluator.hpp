// Rule states per host, moved by every accepted sample and by a periodic
// tick (for hosts that went offline): inactive -> pending -> firing ->
// resolved (then inactive again). Events come out as values for the hub to
// log, serve and (next step) notify; a backfilled sample's events are marked
// historical, never to be notified.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hub/alerts/alert_rule.hpp"

namespace telehub::hub {

enum class AlertState { inactive, pending, firing };
std::string_view alert_state_name(AlertState s);

// Who was doing it, from the sample that fired the alert.
struct AlertCulprit {
    std::vector<TopProcess> top_cpu;           // up to 5, busiest first
    std::vector<ProcessSockets> top_sockets;   // socket rules: up to 5 by the rule's count
    std::vector<LeakSuspect> leaks;
};

struct AlertEvent {
    std::string rule;
    AlertMetric metric = AlertMetric::cpu_total;  // the rule's: what value and threshold mean
    AlertSeverity severity = AlertSeverity::warning;
    std::string host_id;
    std::string hostname;
    AlertState to = AlertState::inactive;  // pending, firing, or inactive after pending ended
    bool resolved = false;                 // firing -> inactive
    bool historical = false;               // from a backfilled sample: record, never notify
    // A firing that came from backfilled samples and still holds at the
    // host's first live sample: news now (notify), but already in the history.
    bool late = false;
    double value = 0;
    double threshold = 0;
    std::int64_t since_ms = 0;  // when the condition began to hold
    std::int64_t at_ms = 0;     // when this change happened (sample time)
    AlertCulprit culprit;       // filled when it fires
};

// One alert now pending or firing.
struct ActiveAlert {
    std::string rule;
    AlertSeverity severity = AlertSeverity::warning;
    std::string host_id;
    std::string hostname;
    AlertState state = AlertState::pending;
    double value = 0;
    double threshold = 0;
    std::int64_t since_ms = 0;
    std::int64_t fired_ms = 0;  // 0 while pending
    AlertCulprit culprit;
};

// A pending or firing alert as kept across a hub restart (the state file):
// `rule_toml` is the rule's definition then, so a rule changed meanwhile
// starts over instead of inheriting a state it did not earn.
struct SavedAlert {
    std::string rule;
    std::string rule_toml;
    std::string host_id;
    std::string hostname;
    AlertState state = AlertState::pending;
    double value = 0;
    std::int64_t since_ms = 0;
    std::int64_t fired_ms = 0;
    std::int64_t last_ms = 0;  // the host's last evaluated sample

    bool operator==(const SavedAlert&) const = default;
};

struct OfflineHost {
    std::string_view host_id;
    std::string_view hostname;
};

class AlertEvaluator {
    struct Host;

public:
    explicit AlertEvaluator(std::vector<AlertRule> rules);

    // Where a host's states sit, kept by its agent's session so that a
    // sample does not look the host id up. Stale once any host has been
    // forgotten since it was taken; on_sample then looks the id up. A session
    // passes the same hostname with every sample, so a valid handle's host
    // needs no check of its hostname either.
    struct HostHandle {
        Host* host = nullptr;
        std::uint64_t forgotten = 0;
    };

    // Replaces the rules. A rule that is the same as before (name and
    // definition) keeps its states; a changed or new one starts inactive.
    void set_rules(std::vector<AlertRule> rules);
    const std::vector<AlertRule>& rules() const { return rules_; }

    // One accepted sample. Samples older than the last one evaluated for the
    // host are ignored (they cannot move a state back in time).
    void on_sample(std::string_view hostname, const Sample& sample, std::vector<AlertEvent>& out,
                   HostHandle* handle = nullptr);
    // Start loading the handle's host's record and then its states before its
    // sample is decoded (see HostRegistry::prefetch_record).
    static void prefetch_record(const HostHandle& handle);
    void prefetch_state(const HostHandle& handle) const;
    // Once a second or so, at `now_ms`: the hosts offline now. Every other
    // host is online; those are stepped only while an offline rule's state of
    // theirs is pending or firing, so a tick costs what is offline, not the fleet.
    void on_tick(std::int64_t now_ms, std::span<const OfflineHost> offline, std::vector<AlertEvent>& out);
    // Forget a host the hub forgot.
    void forget(std::string_view host_id);

    std::vector<ActiveAlert> active() const;

    std::vector<SavedAlert> saved() const;
    // Puts back what `saved` kept for rules that are still the same; returns
    // how many alerts it restored. The culprit is not kept: it comes back at
    // the next firing.
    std::size_t restore(const std::vector<SavedAlert>& alerts);

private:
    // Small (40 bytes): every sample reads its host's track of every rule,
    // and 10,000 hosts' tracks do not fit a cache; the culprit, kept only
    // while firing, lives on its own.
    struct Track {
        AlertState state = AlertState::inactive;
        bool fired_in_backfill = false;  // until the next live sample (AlertEvent::late)
        std::int64_t since_ms = 0;
        std::int64_t fired_ms = 0;
        double value = 0;  // the latest, while pending or firing
        std::unique_ptr<const AlertCulprit> culprit;
    };
    struct Host {
        std::string hostname;
        std::int64_t last_ms = 0;
        std::vector<Track> tracks;  // parallel to rules_
        std::size_t active = 0;     // tracks pending or firing: saved() skips hosts with none
        std::vector<char> in_scope;  // parallel to rules_: the rule's glob matches this host
    };

    Host& host(std::string_view id, std::string_view hostname);
    void step(std::size_t rule, Host& h, std::string_view id, std::optional<double> value, std::int64_t at_ms,
              bool historical, const Sample* sample, std::vector<AlertEvent>& out);
    void rescope(Host& h, std::string_view id);
    void derive_from_rules();
    void recount(Host& h);

    std::vector<AlertRule> rules_;
    // Each rule as TOML, made once per rules set: a saved alert names its rule
    // by it, and the notifier saves every second with thousands of alerts
    // pending, holding the book's lock that ingest waits on.
    std::vector<std::string> rule_tomls_;
    std::vector<std::size_t> offline_rules_;  // indices of the `offline` rules: on_tick's only work
    // Hosts with an offline rule pending or firing after the last tick: the
    // online ones among them are stepped by the next tick, to clear.
    std::vector<std::string> offline_tracked_;
    bool offline_active(const Host& h) const;
    // Looked up by string_view: no string made per sample.
    struct IdHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
    };
    // Nodes: a Host stays where it is while others come and go (HostHandle).
    std::unordered_map<std::string, Host, IdHash, std::equal_to<>> hosts_;
    std::uint64_t forgotten_ = 0;  // hosts forgotten so far: a HostHandle taken before is stale
};

}  // namespace telehub::hub
