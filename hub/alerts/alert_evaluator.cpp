#include "hub/alerts/alert_evaluator.hpp"

#include <algorithm>
#include <string>
#include <unordered_set>

#include "hub/alerts/rules_file.hpp"
#include "telehub/prefetch.hpp"

namespace telehub::hub {
namespace {

/* processes listed in an alert's culprit */
constexpr std::size_t culprit_size = 5;

bool is_socket_rule(const AlertRule& r) {
    return r.metric == AlertMetric::tcp_state || r.metric == AlertMetric::udp ||
           r.metric == AlertMetric::unix_sockets || r.metric == AlertMetric::process_sockets;
}

AlertCulprit culprit_of(const AlertRule& r, const Sample& s) {
    // A process rule is about its own process: that one leads the culprit
    // even when busier ones (a build beside it) would crowd it out of the 5.
    const bool by_name = r.metric == AlertMetric::process_cpu || r.metric == AlertMetric::process_sockets;
    auto own = [&](const std::string& name) { return by_name && name == r.process; };
    AlertCulprit c;
    c.top_cpu = s.top;
    std::stable_sort(c.top_cpu.begin(), c.top_cpu.end(), [&](const auto& a, const auto& b) {
        return own(a.name) != own(b.name) ? own(a.name) : a.cpu > b.cpu;
    });
    if (c.top_cpu.size() > culprit_size) c.top_cpu.resize(culprit_size);
    if (is_socket_rule(r)) {
        c.top_sockets = s.sockets.by_process;
        std::stable_sort(c.top_sockets.begin(), c.top_sockets.end(), [&](const auto& a, const auto& b) {
            return own(a.name) != own(b.name) ? own(a.name) : process_socket_count(r, a) > process_socket_count(r, b);
        });
        if (c.top_sockets.size() > culprit_size) c.top_sockets.resize(culprit_size);
    }
    c.leaks = s.leaks;
    return c;
}

}  // namespace

std::string_view alert_state_name(AlertState s) {
    switch (s) {
        case AlertState::inactive: return "inactive";
        case AlertState::pending: return "pending";
        case AlertState::firing: return "firing";
    }
    return "?";
}

AlertEvaluator::AlertEvaluator(std::vector<AlertRule> rules) : rules_(std::move(rules)) { derive_from_rules(); }

void AlertEvaluator::derive_from_rules() {
    rule_tomls_.clear();
    offline_rules_.clear();
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        rule_tomls_.push_back(rules_to_toml({rules_[i]}));
        if (rules_[i].metric == AlertMetric::offline) offline_rules_.push_back(i);
    }
}

void AlertEvaluator::set_rules(std::vector<AlertRule> rules) {
    for (auto& [id, h] : hosts_) {
        std::vector<Track> tracks(rules.size());
        for (std::size_t i = 0; i < rules.size(); ++i)
            for (std::size_t j = 0; j < rules_.size(); ++j)
                if (rules_[j] == rules[i]) tracks[i] = std::move(h.tracks[j]);
        h.tracks = std::move(tracks);
    }
    rules_ = std::move(rules);
    derive_from_rules();
    for (auto& [id, h] : hosts_) {
        rescope(h, id);
        recount(h);
    }
}

void AlertEvaluator::recount(Host& h) {
    h.active = static_cast<std::size_t>(
        std::count_if(h.tracks.begin(), h.tracks.end(), [](const Track& t) { return t.state != AlertState::inactive; }));
}

void AlertEvaluator::rescope(Host& h, std::string_view id) {
    h.tracks.resize(rules_.size());
    h.in_scope.assign(rules_.size(), 0);
    for (std::size_t i = 0; i < rules_.size(); ++i)
        h.in_scope[i] = glob_match(rules_[i].hosts, id) || (!h.hostname.empty() && glob_match(rules_[i].hosts, h.hostname));
}

AlertEvaluator::Host& AlertEvaluator::host(std::string_view id, std::string_view hostname) {
    auto it = hosts_.find(id);
    if (it == hosts_.end()) {
        it = hosts_.emplace(std::string(id), Host{}).first;
        it->second.hostname = std::string(hostname);
        rescope(it->second, id);
    } else if (!hostname.empty() && it->second.hostname != hostname) {
        it->second.hostname = std::string(hostname);
        rescope(it->second, id);
    }
    return it->second;
}

void AlertEvaluator::on_sample(std::string_view hostname, const Sample& sample, std::vector<AlertEvent>& out,
                               HostHandle* handle) {
    Host* found = handle && handle->host && handle->forgotten == forgotten_ ? handle->host : &host(sample.host_id, hostname);
    if (handle) *handle = {found, forgotten_};
    Host& h = *found;
    if (sample.ts_ms < h.last_ms) return;
    h.last_ms = sample.ts_ms;
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        if (!h.in_scope[i] || rules_[i].metric == AlertMetric::offline) continue;
        step(i, h, sample.host_id, metric_value(rules_[i], sample), sample.ts_ms, sample.backfill, &sample, out);
    }
}

void AlertEvaluator::prefetch_record(const HostHandle& handle) {
    if (handle.host) prefetch_range(handle.host, sizeof(Host));
}

void AlertEvaluator::prefetch_state(const HostHandle& handle) const {
    if (!handle.host || handle.forgotten != forgotten_) return;
    const Host& h = *handle.host;
    prefetch_range(h.tracks.data(), h.tracks.size() * sizeof(Track));
    prefetch_range(h.in_scope.data(), h.in_scope.size());
}

void AlertEvaluator::on_tick(std::int64_t now_ms, std::span<const OfflineHost> offline, std::vector<AlertEvent>& out) {
    if (offline_rules_.empty()) {
        offline_tracked_.clear();
        return;
    }
    std::vector<std::string> tracked;
    std::unordered_set<std::string_view> down;
    down.reserve(offline.size());
    for (const OfflineHost& o : offline) {
        down.insert(o.host_id);
        Host& h = host(o.host_id, o.hostname);
        for (std::size_t i : offline_rules_)
            if (h.in_scope[i]) step(i, h, o.host_id, 1.0, now_ms, false, nullptr, out);
        if (offline_active(h)) tracked.emplace_back(o.host_id);
    }
    for (const std::string& id : offline_tracked_) {
        if (down.contains(id)) continue;
        auto it = hosts_.find(id);
        if (it == hosts_.end()) continue;  // forgotten since
        Host& h = it->second;
        for (std::size_t i : offline_rules_)
            if (h.in_scope[i]) step(i, h, id, 0.0, now_ms, false, nullptr, out);
        if (offline_active(h)) tracked.push_back(id);
    }
    offline_tracked_ = std::move(tracked);
}

bool AlertEvaluator::offline_active(const Host& h) const {
    return std::any_of(offline_rules_.begin(), offline_rules_.end(),
                       [&](std::size_t i) { return h.tracks[i].state != AlertState::inactive; });
}

void AlertEvaluator::forget(std::string_view host_id) {
    if (auto it = hosts_.find(host_id); it != hosts_.end()) {
        hosts_.erase(it);
        ++forgotten_;
    }
}

void AlertEvaluator::step(std::size_t index, Host& h, std::string_view id, std::optional<double> value,
                          std::int64_t at_ms, bool historical, const Sample* sample, std::vector<AlertEvent>& out) {
    const AlertRule& rule = rules_[index];
    Track& t = h.tracks[index];
    // A figure the sample lacks (no process of that name) is not a breach,
    // and ends a firing alert.
    const bool breach = value && breaches(rule, *value);
    // Most tracks of most hosts, most of the time: nothing to do, and the
    // track is not written (a backfill mark left on an inactive track means
    // nothing: it matters only while firing, and firing sets it anew).
    if (t.state == AlertState::inactive && !breach) return;
    const bool clear = !value || cleared(rule, *value);
    auto emit = [&](AlertState to, bool resolved) {
        AlertEvent& e = out.emplace_back();
        e.rule = rule.name;
        e.metric = rule.metric;
        e.severity = rule.severity;
        e.host_id = std::string(id);
        e.hostname = h.hostname;
        e.to = to;
        e.resolved = resolved;
        e.historical = historical;
        e.value = value.value_or(0);
        e.threshold = resolved ? rule.clear : rule.threshold;
        e.since_ms = t.since_ms;
        e.at_ms = at_ms;
        if (to == AlertState::firing && t.culprit) e.culprit = *t.culprit;
    };
    auto fire = [&] {
        t.state = AlertState::firing;
        t.fired_ms = at_ms;
        t.fired_in_backfill = historical;
        t.culprit = sample ? std::make_unique<const AlertCulprit>(culprit_of(rule, *sample)) : nullptr;
        emit(AlertState::firing, false);
    };
    if (value) t.value = *value;
    if (t.fired_in_backfill && !historical && t.state == AlertState::firing && !clear) {
        t.fired_in_backfill = false;
        emit(AlertState::firing, false);
        out.back().late = true;
        out.back().at_ms = t.fired_ms;
        return;
    }
    t.fired_in_backfill = t.fired_in_backfill && historical;
    switch (t.state) {
        case AlertState::inactive:
            if (!breach) return;
            ++h.active;
            t.state = AlertState::pending;
            t.since_ms = at_ms;
            if (rule.for_seconds <= 0) fire();
            else emit(AlertState::pending, false);
            return;
        case AlertState::pending:
            if (!breach) {
                --h.active;
                t.state = AlertState::inactive;
                emit(AlertState::inactive, false);
                return;
            }
            if (static_cast<double>(at_ms - t.since_ms) >= rule.for_seconds * 1000.0) fire();
            return;
        case AlertState::firing:
            if (!clear) return;
            --h.active;
            t.state = AlertState::inactive;
            emit(AlertState::inactive, true);
            t.culprit.reset();
            return;
    }
}

std::vector<ActiveAlert> AlertEvaluator::active() const {
    std::vector<ActiveAlert> out;
    for (const auto& [id, h] : hosts_) {
        if (h.active == 0) continue;
        for (std::size_t i = 0; i < rules_.size() && i < h.tracks.size(); ++i) {
            const Track& t = h.tracks[i];
            if (t.state == AlertState::inactive) continue;
            ActiveAlert& a = out.emplace_back();
            a.rule = rules_[i].name;
            a.severity = rules_[i].severity;
            a.host_id = id;
            a.hostname = h.hostname;
            a.state = t.state;
            a.value = t.value;
            a.threshold = rules_[i].threshold;
            a.since_ms = t.since_ms;
            a.fired_ms = t.state == AlertState::firing ? t.fired_ms : 0;
            if (t.culprit) a.culprit = *t.culprit;
        }
    }
    std::sort(out.begin(), out.end(), [](const ActiveAlert& a, const ActiveAlert& b) {
        return a.since_ms != b.since_ms ? a.since_ms < b.since_ms : std::tie(a.host_id, a.rule) < std::tie(b.host_id, b.rule);
    });
    return out;
}

}  // namespace telehub::hub

namespace telehub::hub {

std::vector<SavedAlert> AlertEvaluator::saved() const {
    std::vector<SavedAlert> out;
    for (const auto& [id, h] : hosts_) {
        if (h.active == 0) continue;
        for (std::size_t i = 0; i < rules_.size() && i < h.tracks.size(); ++i) {
            const Track& t = h.tracks[i];
            if (t.state == AlertState::inactive) continue;
            out.push_back({rules_[i].name, rule_tomls_[i], id, h.hostname, t.state, t.value, t.since_ms,
                           t.fired_ms, h.last_ms});
        }
    }
    return out;
}

std::size_t AlertEvaluator::restore(const std::vector<SavedAlert>& alerts) {
    std::size_t restored = 0;
    for (const SavedAlert& a : alerts) {
        if (a.state == AlertState::inactive) continue;
        for (std::size_t i = 0; i < rules_.size(); ++i) {
            if (rules_[i].name != a.rule || rule_tomls_[i] != a.rule_toml) continue;
            Host& h = host(a.host_id, a.hostname);
            h.last_ms = std::max(h.last_ms, a.last_ms);
            Track& t = h.tracks[i];
            if (t.state == AlertState::inactive) ++h.active;
            t.state = a.state;
            t.value = a.value;
            t.since_ms = a.since_ms;
            t.fired_ms = a.fired_ms;
            // The host may be back online by now: the next tick clears it then.
            if (rules_[i].metric == AlertMetric::offline &&
                std::find(offline_tracked_.begin(), offline_tracked_.end(), a.host_id) == offline_tracked_.end())
                offline_tracked_.push_back(a.host_id);
            ++restored;
        }
    }
    return restored;
}

}  // namespace telehub::hub
