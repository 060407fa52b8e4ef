// Counters the simulated agents and dashboards bump from their io thread and
// the main thread reads at the window's edges, plus a small tally of
// distinct errors so a run can say what went wrong, not only how often.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace telehub::loadgen {

using Counter = std::atomic<std::uint64_t>;

struct FleetCounters {
    Counter connects_started{0};
    Counter connected{0};        // WebSocket handshake done, hello sent
    Counter welcomed{0};         // the hub answered the hello
    Counter connect_failures{0};
    Counter disconnects{0};      // a ready agent lost its connection
    Counter sent{0};             // sample frames handed to the socket
    Counter bytes_sent{0};
    Counter blocked{0};          // a sample due while the previous write was still in flight: not sent
    Counter write_errors{0};
    Counter error_frames{0};     // {"type":"error"} frames from the hub
    Counter pacer_resets{0};     // the send schedule fell a whole interval behind and skipped ahead
    // TLS (--tls): handshakes completed, and how many of them resumed a session.
    Counter tls_handshakes{0};
    Counter tls_resumed{0};
    // Reconnecting agents (--restart-after): they go on making samples while
    // disconnected and replay them after the welcome, like the real agent.
    Counter live{0};             // agents welcomed and not lost since (a gauge)
    Counter generated{0};        // samples made, sent or not
    Counter replayed{0};         // samples sent again from the buffer after a welcome
    Counter unbuffered{0};       // samples never written that fell out of the buffer before a welcome
    Counter reconnect_attempts{0};
    Counter reconnect_failures{0};  // attempts that failed before the welcome (then backoff)
    Counter epoch_welcomed{0};   // agents welcomed at least once since the last new_epoch()
    // --reconnect-every: connections closed on purpose (close 1000), then resumed.
    Counter random_drops{0};
    // Reconnecting agents answer the hub's commands (--reconnect-every, --restart-after).
    Counter commands_answered{0};
};

// Distinct error texts with counts; at most `limit` texts are kept, later
// new ones only add to `others`.
class ErrorTally {
public:
    explicit ErrorTally(std::size_t limit = 8) : limit_(limit) {}
    void note(const std::string& what);
    std::vector<std::pair<std::string, std::uint64_t>> top() const;  // most frequent first
    std::uint64_t others() const;

private:
    mutable std::mutex mu_;
    std::size_t limit_;
    std::map<std::string, std::uint64_t> counts_;
    std::uint64_t others_ = 0;
};

// When each detail-subscribed host sent each of its recent samples, in
// system-clock microseconds, so the dashboard thread can measure latency to
// the microsecond rather than to ts_ms's millisecond.
class SendTimes {
public:
    // `slot_of_host[i]` is the slot of host i, or -1 for a host nobody watches.
    explicit SendTimes(std::vector<int> slot_of_host);
    int slot(std::size_t host) const { return host < slot_of_.size() ? slot_of_[host] : -1; }
    void record(int slot, std::uint64_t seq, std::int64_t us);
    // 0 when the time of `seq` is no longer (or not yet) kept.
    std::int64_t lookup(int slot, std::uint64_t seq) const;

private:
    static constexpr std::size_t ring = 64;
    struct Entry {
        std::atomic<std::uint64_t> seq{0};
        std::atomic<std::int64_t> us{0};
    };
    std::vector<int> slot_of_;
    std::vector<std::array<Entry, ring>> slots_;
};

}  // namespace telehub::loadgen
