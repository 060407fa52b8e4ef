#include "hub/state/host_registry.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

#include "telehub/prefetch.hpp"

namespace telehub::hub {

struct HostRegistry::Host {
    explicit Host(std::size_t points) : history(points) {}
    std::string host_id;
    std::optional<Hello> hello;
    std::int64_t instance = 0;
    std::uint64_t last_seq = 0;   // of the current instance; 0 before its first sample
    std::uint64_t conn_id = 0;    // the connection that owns the host; 0 when none
    std::int64_t last_seen_ms = 0;
    std::uint32_t interval_ms = 1000;
    std::uint64_t gaps = 0;       // missed samples not filled by backfill
    std::shared_ptr<const std::string> raw;
    HostSummary latest;           // fields decoded from the latest sample; state filled on query
    std::vector<LeakSuspect> leaks;  // of the latest sample
    SampleGauges gauges;             // of the latest sample, for GET /metrics
    HistoryRing history;
};

HostRegistry::HostRegistry(RegistryOptions options, Clock clock) : options_(options), clock_(std::move(clock)) {}
HostRegistry::~HostRegistry() = default;

std::int64_t HostRegistry::system_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

HostRegistry::Host& HostRegistry::host_locked(const std::string& host_id) {
    auto& slot = hosts_[host_id];
    if (!slot) {
        slot = std::make_unique<Host>(options_.history_points);
        slot->host_id = host_id;
        slot->latest.host_id = host_id;
        slot->latest.hostname = host_id;
        auto at = std::lower_bound(by_id_.begin(), by_id_.end(), host_id,
                                   [](const Host* h, const std::string& id) { return h->host_id < id; });
        by_id_.insert(at, slot.get());
    }
    return *slot;
}

HelloOutcome HostRegistry::on_hello(const Hello& hello, std::uint64_t conn_id) {
    HelloOutcome out;
    std::lock_guard lock(mu_);
    if (options_.max_hosts && hosts_.size() >= options_.max_hosts && !hosts_.count(hello.host_id)) {
        evict_locked(out.evicted);
        if (hosts_.size() >= options_.max_hosts) {
            out.refused = true;
            return out;
        }
    }
    auto& h = host_locked(hello.host_id);
    if (h.instance != hello.instance) {
        // A new agent instance restarts seq at 1: order its points apart from
        // the old ones, and save the old instance's last points under its id.
        out.batch = take_batch_locked(h);
        h.instance = hello.instance;
        h.last_seq = 0;
        h.history.begin_instance();
    }
    h.hello = hello;
    h.conn_id = conn_id;
    h.last_seen_ms = clock_();
    h.interval_ms = hello.interval_ms;
    h.latest.hostname = hello.hostname.empty() ? hello.host_id : hello.hostname;
    h.latest.cores = hello.cores;
    h.latest.interval_ms = hello.interval_ms;
    out.last_seq = h.last_seq;
    return out;
}

std::optional<SaveBatch> HostRegistry::take_batch_locked(Host& h) {
    if (options_.save_batch_points == 0) return std::nullopt;
    SaveBatch b;
    if (!h.history.take_unsaved(b.points)) return std::nullopt;
    b.meta = {h.host_id, h.latest.hostname, h.latest.cores, h.interval_ms, h.instance, h.last_seq, h.last_seen_ms};
    return b;
}

void HostRegistry::erase_locked(const std::string& host_id) {
    auto at = std::lower_bound(by_id_.begin(), by_id_.end(), host_id,
                               [](const Host* h, const std::string& id) { return h->host_id < id; });
    if (at != by_id_.end() && (*at)->host_id == host_id) by_id_.erase(at);
    hosts_.erase(host_id);
    ++erasures_;
}

void HostRegistry::evict_locked(std::vector<std::string>& evicted) {
    // A flood of fresh host ids leaves hosts with a point or two: forget the
    // smallest offline ones, a slice of the bound at a time so one scan pays
    // for many hellos. Hosts with real history are never taken for room.
    struct Candidate {
        std::size_t points;
        std::int64_t last_seen_ms;
        const std::string* id;
    };
    std::vector<Candidate> c;
    for (const Host* h : by_id_)
        if (h->conn_id == 0 && h->history.size() < options_.little_history_points)
            c.push_back({h->history.size(), h->last_seen_ms, &h->host_id});
    if (c.empty()) return;
    const std::size_t n = std::min(c.size(), std::max<std::size_t>(1, options_.max_hosts / 64));
    auto less = [](const Candidate& a, const Candidate& b) {
        return a.points != b.points ? a.points < b.points : a.last_seen_ms < b.last_seen_ms;
    };
    std::nth_element(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(n - 1), c.end(), less);
    for (std::size_t i = 0; i < n; ++i) evicted.push_back(*c[i].id);
    for (const auto& id : evicted) erase_locked(id);
}

void HostRegistry::restore(LoadedHost&& l) {
    std::lock_guard lock(mu_);
    auto& h = host_locked(l.meta.host_id);
    h.instance = l.meta.instance;
    h.last_seq = l.meta.last_seq;
    h.last_seen_ms = l.meta.last_seen_ms;
    h.interval_ms = l.meta.interval_ms;
    h.latest.hostname = l.meta.hostname.empty() ? l.meta.host_id : l.meta.hostname;
    h.latest.cores = l.meta.cores;
    h.latest.interval_ms = l.meta.interval_ms;
    h.latest.seq = l.meta.last_seq;
    for (auto& run : l.runs) {
        h.history.begin_instance();
        for (const auto& e : run.entries) h.history.insert(e);
    }
    // Points of another instance than the agent's last: its next samples are ordered apart from them.
    if (!l.runs.empty() && l.runs.back().instance != l.meta.instance) h.history.begin_instance();
    h.history.mark_saved();
    if (!l.runs.empty() && !l.runs.back().entries.empty()) {
        // The summary shows the newest point held until the agent is back.
        const auto& e = l.runs.back().entries.back();
        h.latest.cpu = e.cpu;
        h.latest.load1 = e.load1;
        h.latest.tcp_established = e.tcp_established;
        h.latest.tcp_listen = e.tcp_listen;
        h.latest.top_name = e.top_name;
        h.latest.top_cpu = e.top_cpu;
    }
}

ForgetResult HostRegistry::forget(std::string_view host_id) {
    std::lock_guard lock(mu_);
    auto it = hosts_.find(std::string(host_id));
    if (it == hosts_.end()) return ForgetResult::unknown;
    if (it->second->conn_id != 0) return ForgetResult::online;
    erase_locked(std::string(host_id));
    return ForgetResult::forgotten;
}

std::vector<std::string> HostRegistry::forget_idle(std::int64_t seen_before_ms) {
    std::vector<std::string> out;
    std::lock_guard lock(mu_);
    for (const Host* h : by_id_)
        if (h->conn_id == 0 && h->last_seen_ms < seen_before_ms) out.push_back(h->host_id);
    for (const auto& id : out) erase_locked(id);
    return out;
}

std::vector<SaveBatch> HostRegistry::take_all_unsaved() {
    std::vector<SaveBatch> out;
    std::lock_guard lock(mu_);
    for (auto& [id, h] : hosts_)
        if (auto b = take_batch_locked(*h)) out.push_back(std::move(*b));
    return out;
}

namespace {

void fill_latest(HostSummary& out, const Sample& s) {
    out.cpu = s.cpu.total;
    if (!s.cpu.per_core.empty()) out.cores = static_cast<std::uint32_t>(s.cpu.per_core.size());
    out.load1 = s.load[0];
    out.mem_total = s.mem.total;
    out.mem_available = s.mem.available;
    if (s.top.empty()) {
        out.top_pid = 0;
        out.top_name.clear();
        out.top_cpu = 0;
    } else {
        out.top_pid = s.top.front().pid;
        out.top_name = s.top.front().name;
        out.top_cpu = s.top.front().cpu;
    }
    out.tcp_established = s.sockets.tcp[tcp_established];
    out.tcp_listen = s.sockets.tcp[tcp_listen];
    out.sockets_total = s.sockets.total();
    out.seq = s.seq;
    out.interval_ms = s.interval_ms;
    out.leaks = s.leak_count();
    out.containers = s.containers_total;
    out.container_names.resize(s.containers.size());
    for (std::size_t i = 0; i < s.containers.size(); ++i) out.container_names[i] = s.containers[i].name;
    out.opens_per_s = opens_per_second(s);
}

// Fills every field of `e`, which is reused: its per-core list keeps its capacity.
void fill_history_entry(HistoryEntry& e, const Sample& s) {
    e.ts_ms = s.ts_ms;
    e.seq = s.seq;
    e.cpu = s.cpu.total;
    e.per_core = s.cpu.per_core;
    e.load1 = s.load[0];
    e.tcp_established = s.sockets.tcp[tcp_established];
    e.tcp_listen = s.sockets.tcp[tcp_listen];
    e.tcp_time_wait = s.sockets.tcp[tcp_time_wait];
    e.tcp_close_wait = s.sockets.tcp[tcp_close_wait];
    e.udp = s.sockets.udp;
    e.unix_ = s.sockets.unix_;
    if (s.top.empty()) {
        e.top_name.clear();
        e.top_cpu = 0;
    } else {
        e.top_name = s.top.front().name;
        e.top_cpu = s.top.front().cpu;
    }
    const auto& c = s.sockets.churn;
    e.opens_exact = c.exact ? c.tcp_active_opens + c.tcp_passive_opens : 0;
    e.opened = c.opened;
    e.closed = c.closed;
}

}  // namespace

void HostRegistry::prefetch_record(const Handle& handle) {
    // A stale handle's address is only a wasted load: prefetching never faults.
    if (handle.host) prefetch_range(handle.host, sizeof(Host));
}

void HostRegistry::prefetch_state(const Handle& handle) const {
    std::lock_guard lock(mu_);
    if (!handle.host || handle.erasures != erasures_) return;
    for (auto bytes : handle.host->history.append_touches()) prefetch_range(bytes.data(), bytes.size());
}

SampleOutcome HostRegistry::on_sample(const Sample& s, std::shared_ptr<const std::string> raw, std::uint64_t conn_id,
                                      Handle* handle) {
    // Built outside the lock, in the calling thread's entry (no allocation per sample).
    thread_local HistoryEntry entry;
    fill_history_entry(entry, s);
    std::lock_guard lock(mu_);
    Host* found = handle && handle->host && handle->erasures == erasures_ ? handle->host : &host_locked(s.host_id);
    if (handle) *handle = {found, erasures_};
    Host& h = *found;
    SampleOutcome out;
    if (h.conn_id == conn_id) h.last_seen_ms = clock_();
    if (s.seq > h.last_seq) {
        // Gaps count only after a seq the hub held: samples from before it
        // knew this instance (a new hub, a host first seen mid-run) were
        // never missed by it.
        out.gaps_added = h.last_seq == 0 ? 0 : s.seq - h.last_seq - 1;
        h.gaps += out.gaps_added;
        h.last_seq = s.seq;
        h.interval_ms = s.interval_ms;
        out.replaced_raw = std::exchange(h.raw, std::move(raw));
        fill_latest(h.latest, s);
        fill_sample_gauges(h.gauges, s, options_.metrics_top_processes);
        // Only the newest sample speaks for the host's leak state; an older
        // backfilled one (below) never does.
        out.leaks = leak_changes(h.leaks, s.leaks);
        h.leaks = s.leaks;
        h.history.insert(entry);
        out.accepted = true;
    } else if (s.backfill && h.history.insert(entry) == HistoryRing::Insert::inserted) {
        // A replayed sample older than one already held fills a hole.
        if (h.gaps > 0) --h.gaps;
        out.accepted = true;
    }
    out.hot = s.cpu.total >= high_cpu();
    if (options_.save_batch_points && h.history.unsaved() >= options_.save_batch_points) out.batch = take_batch_locked(h);
    return out;
}

void HostRegistry::on_disconnect(std::string_view host_id, std::uint64_t conn_id) {
    std::lock_guard lock(mu_);
    auto it = hosts_.find(std::string(host_id));
    if (it != hosts_.end() && it->second->conn_id == conn_id) it->second->conn_id = 0;
}

bool HostRegistry::online_locked(const Host& h, std::int64_t now) const {
    return h.conn_id != 0 &&
           now - h.last_seen_ms <= static_cast<std::int64_t>(options_.offline_after_intervals) * h.interval_ms;
}

bool HostRegistry::hot_locked(const Host& h, bool online) const {
    return online && h.raw && h.latest.cpu >= high_cpu();
}

HostSummary HostRegistry::summary_locked(const Host& h, std::int64_t now) const {
    HostSummary s = h.latest;
    s.online = online_locked(h, now);
    s.last_seen_ms = h.last_seen_ms;
    s.hot = hot_locked(h, s.online);
    s.gaps = h.gaps;
    s.interval_ms = h.interval_ms;
    return s;
}

template <class Visit>
void HostRegistry::visit_in_slices(Visit&& visit) const {
    // Hosts are visited a slice at a time, in id order, the lock taken per
    // slice; a host added between slices is picked up if its id sorts after
    // the last one visited.
    constexpr std::size_t slice = 256;
    std::string last_id;
    const std::int64_t now = clock_();
    bool first = true;
    for (bool more = true; more; first = false) {
        std::lock_guard lock(mu_);
        auto it = first ? by_id_.begin()
                        : std::upper_bound(by_id_.begin(), by_id_.end(), last_id,
                                           [](const std::string& id, const Host* h) { return id < h->host_id; });
        for (std::size_t n = 0; it != by_id_.end() && n < slice; ++it, ++n) {
            last_id = (*it)->host_id;
            visit(**it, now, by_id_.size());
        }
        more = it != by_id_.end();
    }
}

std::vector<HostSummary> HostRegistry::summaries(const HostFilter& filter) const {
    std::vector<HostSummary> out;
    visit_in_slices([&](const Host& h, std::int64_t now, std::size_t hosts) {
        if (out.capacity() < hosts) out.reserve(hosts);
        if (filter.matches(h.latest)) out.push_back(summary_locked(h, now));
    });
    return out;
}

std::vector<HostPresenceRow> HostRegistry::presence() const {
    std::vector<HostPresenceRow> out;
    visit_in_slices([&](const Host& h, std::int64_t now, std::size_t hosts) {
        if (out.capacity() < hosts) out.reserve(hosts);
        out.push_back({h.host_id, h.latest.hostname, online_locked(h, now)});
    });
    return out;
}

std::vector<HostPresenceRow> HostRegistry::offline_hosts() const {
    std::vector<HostPresenceRow> out;
    visit_in_slices([&](const Host& h, std::int64_t now, std::size_t) {
        if (!online_locked(h, now)) out.push_back({h.host_id, h.latest.hostname, false});
    });
    return out;
}

std::vector<HostMetrics> HostRegistry::metrics() const {
    std::vector<HostMetrics> out;
    visit_in_slices([&](const Host& h, std::int64_t now, std::size_t hosts) {
        if (out.capacity() < hosts) out.reserve(hosts);
        auto& m = out.emplace_back();
        m.host_id = h.host_id;
        m.hostname = h.latest.hostname;
        m.online = online_locked(h, now);
        m.has_sample = h.raw != nullptr;
        m.last_seen_ms = h.last_seen_ms;
        m.gaps = h.gaps;
        m.history_bytes = h.history.memory_bytes();
        m.gauges = h.gauges;
    });
    return out;
}

std::vector<HostSnapshot> HostRegistry::snapshots(const HostFilter& filter) const {
    // A slice at a time, like summaries: 10,000 hosts' sparks are megabytes to
    // copy, and ingest takes the same lock.
    std::vector<HostSnapshot> out;
    visit_in_slices([&](const Host& h, std::int64_t now, std::size_t hosts) {
        if (out.capacity() < hosts) out.reserve(hosts);
        if (filter.matches(h.latest)) out.push_back({summary_locked(h, now), h.history.recent_cpu(options_.spark_points)});
    });
    return out;
}

HostCounts HostRegistry::counts() const {
    HostCounts c;
    std::lock_guard lock(mu_);
    auto now = clock_();
    for (const Host* h : by_id_) {
        const bool online = online_locked(*h, now);
        ++c.total;
        ++(online ? c.online : c.offline);
        if (hot_locked(*h, online)) ++c.hot;
    }
    return c;
}

std::optional<HostDetail> HostRegistry::detail(std::string_view host_id) const {
    std::lock_guard lock(mu_);
    auto it = hosts_.find(std::string(host_id));
    if (it == hosts_.end()) return std::nullopt;
    return HostDetail{summary_locked(*it->second, clock_()), it->second->hello, it->second->raw};
}

std::optional<bool> HostRegistry::online(std::string_view host_id) const {
    std::lock_guard lock(mu_);
    auto it = hosts_.find(std::string(host_id));
    if (it == hosts_.end()) return std::nullopt;
    return online_locked(*it->second, clock_());
}

std::shared_ptr<const std::string> HostRegistry::latest_frame(std::string_view host_id) const {
    std::lock_guard lock(mu_);
    auto it = hosts_.find(std::string(host_id));
    if (it == hosts_.end() || !online_locked(*it->second, clock_())) return nullptr;
    return it->second->raw;
}

std::optional<HostHistory> HostRegistry::history(std::string_view host_id, std::int64_t seconds) const {
    std::lock_guard lock(mu_);
    auto it = hosts_.find(std::string(host_id));
    if (it == hosts_.end()) return std::nullopt;
    const auto& ring = it->second->history;
    std::int64_t since = std::numeric_limits<std::int64_t>::min();
    const std::int64_t newest = ring.size() > 0 ? ring.at(ring.size() - 1).ts_ms : it->second->last_seen_ms;
    if (seconds > 0) since = newest - seconds * 1000;
    return HostHistory{it->second->host_id, it->second->interval_ms, ring.columns(since), since,
                       ring.oldest_ts().value_or(newest + 1)};
}

std::size_t HostRegistry::host_count() const {
    std::lock_guard lock(mu_);
    return hosts_.size();
}

std::vector<HostLeak> HostRegistry::leaks() const {
    std::vector<HostLeak> out;
    {
        std::lock_guard lock(mu_);
        auto now = clock_();
        for (const auto& [id, h] : hosts_) {
            if (h->leaks.empty()) continue;
            const bool online = summary_locked(*h, now).online;
            for (const auto& s : h->leaks) out.push_back({h->host_id, online, s});
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.host_id < b.host_id; });
    return out;
}

std::optional<std::size_t> HostRegistry::history_bytes(std::string_view host_id) const {
    std::lock_guard lock(mu_);
    auto it = hosts_.find(std::string(host_id));
    if (it == hosts_.end()) return std::nullopt;
    return it->second->history.memory_bytes();
}

HostRegistry::HistoryMemory HostRegistry::history_memory() const {
    std::lock_guard lock(mu_);
    HistoryMemory m;
    for (const auto& [id, h] : hosts_) {
        m.bytes += h->history.memory_bytes();
        m.points += h->history.size();
    }
    return m;
}

}  // namespace telehub::hub
