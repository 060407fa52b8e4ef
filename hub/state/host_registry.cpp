#include "hub/state/host_registry.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

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

std::uint64_t HostRegistry::on_hello(const Hello& hello, std::uint64_t conn_id) {
    std::lock_guard lock(mu_);
    auto& h = host_locked(hello.host_id);
    if (!h.hello || h.instance != hello.instance) {
        // A new agent instance restarts seq at 1: order its points apart from the old ones.
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
    return h.last_seq;
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
    out.leaks = static_cast<std::uint32_t>(s.leaks.size());
    out.containers = s.containers_total;
    out.container_names.resize(s.containers.size());
    for (std::size_t i = 0; i < s.containers.size(); ++i) out.container_names[i] = s.containers[i].name;
    const auto& c = s.sockets.churn;
    const double opens = c.exact ? static_cast<double>(c.tcp_active_opens + c.tcp_passive_opens) : c.opened;
    out.opens_per_s = s.interval_ms > 0 ? opens * 1000.0 / s.interval_ms : 0;
}

HistoryEntry history_entry(const Sample& s) {
    HistoryEntry e;
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
    if (!s.top.empty()) {
        e.top_name = s.top.front().name;
        e.top_cpu = s.top.front().cpu;
    }
    const auto& c = s.sockets.churn;
    if (c.exact) e.opens_exact = c.tcp_active_opens + c.tcp_passive_opens;
    e.opened = c.opened;
    e.closed = c.closed;
    return e;
}

}  // namespace

SampleOutcome HostRegistry::on_sample(const Sample& s, std::shared_ptr<const std::string> raw, std::uint64_t conn_id) {
    auto entry = history_entry(s);  // built outside the lock
    std::lock_guard lock(mu_);
    auto& h = host_locked(s.host_id);
    SampleOutcome out;
    if (h.conn_id == conn_id) h.last_seen_ms = clock_();
    if (s.seq > h.last_seq) {
        out.gaps_added = s.seq - h.last_seq - 1;
        h.gaps += out.gaps_added;
        h.last_seq = s.seq;
        h.interval_ms = s.interval_ms;
        h.raw = std::move(raw);
        fill_latest(h.latest, s);
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
    out.hot = s.cpu.total >= options_.high_cpu;
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
    return online && h.raw && h.latest.cpu >= options_.high_cpu;
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

std::vector<HostSummary> HostRegistry::summaries(const HostFilter& filter) const {
    // Hosts are copied a slice at a time, in id order; a host added between
    // slices is picked up if its id sorts after the last one copied.
    constexpr std::size_t slice = 256;
    std::vector<HostSummary> out;
    std::string last_id;
    const std::int64_t now = clock_();
    bool first = true;
    for (bool more = true; more; first = false) {
        std::lock_guard lock(mu_);
        if (out.capacity() < by_id_.size()) out.reserve(by_id_.size());
        auto it = first ? by_id_.begin()
                              : std::upper_bound(by_id_.begin(), by_id_.end(), last_id,
                                                 [](const std::string& id, const Host* h) { return id < h->host_id; });
        for (std::size_t n = 0; it != by_id_.end() && n < slice; ++it, ++n) {
            last_id = (*it)->host_id;
            if (filter.matches((*it)->latest)) out.push_back(summary_locked(**it, now));
        }
        more = it != by_id_.end();
    }
    return out;
}

std::vector<HostSnapshot> HostRegistry::snapshots(const HostFilter& filter) const {
    std::vector<HostSnapshot> out;
    {
        std::lock_guard lock(mu_);
        auto now = clock_();
        for (const auto& [id, h] : hosts_) {
            if (filter.matches(h->latest))
                out.push_back({summary_locked(*h, now), h->history.recent_cpu(options_.spark_points)});
        }
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.summary.host_id < b.summary.host_id; });
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

std::optional<HostHistory> HostRegistry::history(std::string_view host_id, std::int64_t seconds) const {
    std::lock_guard lock(mu_);
    auto it = hosts_.find(std::string(host_id));
    if (it == hosts_.end()) return std::nullopt;
    const auto& ring = it->second->history;
    std::int64_t since = std::numeric_limits<std::int64_t>::min();
    if (seconds > 0 && ring.size() > 0) since = ring.at(ring.size() - 1).ts_ms - seconds * 1000;
    return HostHistory{it->second->host_id, it->second->interval_ms, ring.columns(since)};
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
