// The hub's in-memory state of every host: hello info, the latest sample
// (raw bytes as received plus the decoded summary fields), online state, seq
// gap/duplicate accounting and the history ring. Knows nothing of the
// network; thread-safe behind one mutex held only for short updates/copies.
#pragma once

#include <atomic>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hub/history/history.hpp"
#include "hub/state/host_filter.hpp"
#include "hub/state/host_metrics.hpp"
#include "hub/state/host_summary.hpp"
#include "hub/state/leak_changes.hpp"
#include "telehub/sample.hpp"

namespace telehub::hub {

struct RegistryOptions {
    std::size_t history_points = 3600;  // one hour at a 1 s interval
    double high_cpu = 80;               // cpu % at or above which an online host is hot
    int offline_after_intervals = 3;    // missed intervals before a connected host shows offline
    std::size_t spark_points = 300;     // cpu totals sent with each host in a snapshot
    // Persistence: a host's new points are handed out for the store in
    // batches of this many (0: no store). 64 bounds what a killed hub loses
    // to about a minute per host, which the agents' 300-sample backfill replays.
    std::size_t save_batch_points = 0;
    // At most this many hosts (0: no bound). A hello with a new host id past
    // it first forgets offline hosts holding fewer than little_history_points
    // points, and is refused if none is left to forget.
    std::size_t max_hosts = 0;
    std::size_t little_history_points = 600;
    std::size_t metrics_top_processes = 0;  // top processes kept per host for GET /metrics (0: none)
};

struct HelloOutcome {
    bool refused = false;            // a new host id past max_hosts
    std::uint64_t last_seq = 0;      // for the welcome: the last seq held of this agent instance (0 if none)
    std::vector<std::string> evicted;  // hosts forgotten to make room
    std::optional<SaveBatch> batch;  // the previous instance's unsaved points
};

enum class ForgetResult { forgotten, unknown, online };

struct SampleOutcome {
    bool accepted = false;        // false: a duplicate, ignored
    std::uint64_t gaps_added = 0;  // samples skipped by a seq jump
    bool hot = false;
    LeakChanges leaks;  // suspects that appeared or cleared with this sample (newest samples only)
    std::optional<SaveBatch> batch;  // points for the store, when a batch is full
    // The frame this sample's replaced as the host's latest, handed back so
    // that its buffer can serve a later frame (RawFramePool) and is not freed under the lock.
    std::shared_ptr<const std::string> replaced_raw;
};

// One current leak suspect of a host (GET /api/leaks).
struct HostLeak {
    std::string host_id;
    bool online = false;
    LeakSuspect suspect;
};

struct HostDetail {
    HostSummary summary;
    std::optional<Hello> hello;
    std::shared_ptr<const std::string> sample;  // the latest frame as received; null before the first
};

struct HostHistory {
    std::string host_id;
    std::uint32_t interval_ms = 0;
    HistoryColumns columns;
    std::int64_t since_ms = 0;   // the start asked for (the newest point's ts - seconds)
    std::int64_t oldest_ms = 0;  // the oldest point held in memory (the newest's ts + 1 when none)
};

class HostRegistry {
    struct Host;

public:
    using Clock = std::function<std::int64_t()>;  // unix ms

    // Where a host sits, kept by its agent's session so that a sample does
    // not look the host id up (a cold bucket, node and key for a host heard
    // once a second). Stale once any host has been forgotten since it was
    // taken (forget, idle expiry, eviction: rare); on_sample then looks the
    // id up as without one.
    struct Handle {
        Host* host = nullptr;
        std::uint64_t erasures = 0;
    };

    explicit HostRegistry(RegistryOptions options, Clock clock = system_clock_ms);
    ~HostRegistry();

    // A hello on connection `conn_id`; unless refused, that connection is
    // now the host's.
    HelloOutcome on_hello(const Hello& hello, std::uint64_t conn_id);

    // A sample from connection `conn_id`, already checked to carry the host id
    // of that connection's hello. `raw` is the frame as received.
    SampleOutcome on_sample(const Sample& sample, std::shared_ptr<const std::string> raw, std::uint64_t conn_id,
                            Handle* handle = nullptr);
    // Start loading what on_sample will touch of the handle's host, a second
    // cold by then, so that the misses overlap with the frame's decode: first
    // its record (no lock, nothing read), then, once that has had time to
    // arrive, what the record points to (the newest end of its history).
    static void prefetch_record(const Handle& handle);
    void prefetch_state(const Handle& handle) const;

    // The connection ended; the host goes offline if it was still that connection's.
    void on_disconnect(std::string_view host_id, std::uint64_t conn_id);

    std::vector<HostSummary> summaries(const HostFilter& filter) const;
    std::vector<HostSnapshot> snapshots(const HostFilter& filter) const;
    // Every host's id, hostname and online state, a slice of hosts per lock.
    std::vector<HostPresenceRow> presence() const;
    // The same for the hosts offline now only: a slice of hosts per lock,
    // and no copy of the online ones (most of a fleet, every second).
    std::vector<HostPresenceRow> offline_hosts() const;
    // Every host's exported numbers, in id order, copied a slice of hosts
    // per lock so that a 10,000-host scrape never holds up samples for long.
    std::vector<HostMetrics> metrics() const;
    HostCounts counts() const;
    std::optional<HostDetail> detail(std::string_view host_id) const;
    // Whether the host's agent is connected here; nullopt: no such host. No copy of its detail.
    std::optional<bool> online(std::string_view host_id) const;
    // The host's latest sample frame as received, while it is online here; null otherwise.
    std::shared_ptr<const std::string> latest_frame(std::string_view host_id) const;
    // Points with ts within `seconds` of the newest point (all when 0).
    std::optional<HostHistory> history(std::string_view host_id, std::int64_t seconds) const;
    std::size_t host_count() const;
    // Every host's current leak suspects, online or not, by host id.
    std::vector<HostLeak> leaks() const;
    // Heap bytes held for one host's history (for the memory bound).
    std::optional<std::size_t> history_bytes(std::string_view host_id) const;
    // Heap bytes and points held by every host's history (GET /api/stats).
    struct HistoryMemory {
        std::size_t bytes = 0;
        std::size_t points = 0;
    };
    HistoryMemory history_memory() const;

    // A reload (SIGHUP) changes the threshold while samples flow.
    double high_cpu() const { return high_cpu_.load(std::memory_order_relaxed); }
    void set_high_cpu(double pct) { high_cpu_.store(pct, std::memory_order_relaxed); }

    // A host read back from the store at start (offline until its agent says hello).
    void restore(LoadedHost&& host);
    // Forgets a host and its history now, unless its agent is connected.
    ForgetResult forget(std::string_view host_id);
    // Forgets every offline host not seen since `seen_before_ms`; returns their ids.
    std::vector<std::string> forget_idle(std::int64_t seen_before_ms);
    // Every host's points not yet handed to the store (at shutdown).
    std::vector<SaveBatch> take_all_unsaved();

    const RegistryOptions& options() const { return options_; }

    static std::int64_t system_clock_ms();

private:
    Host& host_locked(const std::string& host_id);
    HostSummary summary_locked(const Host& h, std::int64_t now) const;
    bool online_locked(const Host& h, std::int64_t now) const;
    bool hot_locked(const Host& h, bool online) const;
    std::optional<SaveBatch> take_batch_locked(Host& h);
    void erase_locked(const std::string& host_id);
    void evict_locked(std::vector<std::string>& evicted);
    // visit(const Host&, now, host count) for every host, under the lock a slice at a time.
    template <class Visit>
    void visit_in_slices(Visit&& visit) const;

    RegistryOptions options_;
    std::atomic<double> high_cpu_{options_.high_cpu};
    Clock clock_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::unique_ptr<Host>> hosts_;
    // Every host by id (a host is removed from both under the lock): lists
    // come out sorted without a sort, and can be copied a slice at a time so
    // that a 10,000-host summary never holds the lock for long.
    std::vector<const Host*> by_id_;
    std::uint64_t erasures_ = 0;  // hosts forgotten so far: a Handle taken before is stale
};

}  // namespace telehub::hub
