// The hub's terminal output: one line per incoming sample on stdout and
// connection events on stderr, written by a thread of its own from a bounded
// queue, so io threads only ever append to a deque. When the queue is full
// lines are dropped and counted; the count is reported once a second.
//
// Past `max_lines_per_s` sample lines in one wall-clock second, the rest of
// that second's samples are only counted, and one summary line for the second
// follows (samples, how many were not shown, HOT count, the hottest host): a
// small fleet still gets a line per sample, and a large one costs the hub a
// counter per sample instead of a formatted line that nobody could read.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "telehub/sample.hpp"

namespace telehub::hub {

enum class LogFormat { text, json };

struct SampleLogLine {
    std::int64_t ts_ms = 0;  // hub clock when received
    std::string host_id;
    std::string hostname;  // from the agent's hello; may be empty
    std::uint64_t seq = 0;
    double cpu = 0;
    std::string top_name;
    double top_cpu = 0;
    std::uint32_t tcp_established = 0;
    std::uint32_t tcp_listen = 0;
    std::uint32_t sockets_total = 0;
    bool backfill = false;
};

struct TerminalLogOptions {
    LogFormat format = LogFormat::text;
    double high_cpu = 80;                  // at or above: tagged HOT
    std::optional<double> min_cpu;         // log only samples at or above this cpu
    bool quiet = false;                    // no sample lines (events still go to stderr)
    std::size_t max_lines_per_s = 200;     // sample lines per second before summarising; 0 = no limit
    std::size_t queue_limit = 8192;        // lines waiting to be written before new ones are dropped
    std::optional<bool> color;             // ANSI colour; default: when `out` is a tty
    std::FILE* out = stdout;
    std::FILE* err = stderr;
    std::string file;  // when set: everything is appended to this file instead (reopen() for logrotate)
};

class TerminalLog {
public:
    explicit TerminalLog(TerminalLogOptions options);
    ~TerminalLog();  // writes what is queued, then stops the thread
    TerminalLog(const TerminalLog&) = delete;
    TerminalLog& operator=(const TerminalLog&) = delete;

    // Never blocks beyond a short mutex; filtered here (quiet, min_cpu).
    // Whether a sample at this cpu % would be logged (--quiet, --log-min-cpu):
    // callers ask first so a dropped line is never built on the network thread.
    bool wants_sample(double cpu) const { return !options_.quiet && !(options_.min_cpu && cpu < *options_.min_cpu); }
    // Logs `s`, received at `received_ms` (hub clock): a line while this
    // second's budget lasts, otherwise only counted for the summary line.
    void sample(const telehub::Sample& s, std::string_view hostname, std::int64_t received_ms);
    void sample(SampleLogLine line);
    void event(std::string text);
    // A leak suspect appeared on (or cleared from) a host: one event line.
    void leak(std::string_view host_id, const LeakSuspect& suspect, bool appeared);

    // With a log file: open it again by its path (after logrotate moved it),
    // on the writer thread before its next write; if that fails, a line says
    // so in the old file, which stays in use. Nothing otherwise.
    void reopen();

    std::uint64_t dropped() const { return dropped_total_.load(std::memory_order_relaxed); }
    // The HOT mark's threshold; a reload (SIGHUP) changes it while samples flow.
    double high_cpu() const { return high_cpu_.load(std::memory_order_relaxed); }
    void set_high_cpu(double pct) { high_cpu_.store(pct, std::memory_order_relaxed); }
    void stop();

    // Formatting, exposed for tests.
    std::string format_sample(const SampleLogLine& l) const;
    std::string format_event(std::int64_t ts_ms, const std::string& text) const;

    // What one wall-clock second of samples held, for its summary line.
    struct SecondTally {
        std::int64_t second = 0;  // ms since the epoch / 1000
        std::uint64_t samples = 0;
        std::uint64_t shown = 0;  // of which got a line of their own
        std::uint64_t hot = 0;
        double max_cpu = -1;
        std::string max_host;      // host id
        std::string max_hostname;  // its hostname
    };
    std::string format_summary(const SecondTally& t) const;
    static std::string leak_text(std::string_view host_id, const LeakSuspect& suspect, bool appeared);

private:
    enum class Kind { sample, event, summary };
    struct Item {
        Kind kind = Kind::sample;
        std::int64_t ts_ms = 0;
        SampleLogLine sample;
        std::string text;
        SecondTally tally;
    };
    // Counts a sample into its second; true if it may have a line of its own.
    bool admit(std::int64_t ts_ms, double cpu, std::string_view host_id, std::string_view hostname);
    void roll_tally_locked(std::int64_t second);
    void push(Item item, bool wake);
    void run();

    TerminalLogOptions options_;
    bool color_ = false;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Item> queue_;
    bool stopping_ = false;
    bool urgent_ = false;  // an event is waiting: write now, not at the next period
    bool reopen_ = false;
    std::FILE* file_ = nullptr;  // options_.file, opened here; only the writer thread swaps it
    SecondTally tally_;
    // The host column's width in characters: the widest label so far (up to
    // max_label_width), so the columns after it line up once the fleet has
    // been seen. Only the thread that formats (the writer, or a test) uses it.
    static constexpr std::size_t min_label_width = 20, max_label_width = 48;
    mutable std::size_t label_width_ = min_label_width;
    std::uint64_t dropped_unreported_ = 0;
    std::atomic<std::uint64_t> dropped_total_{0};
    std::atomic<double> high_cpu_{options_.high_cpu};
    std::thread thread_;
};

}  // namespace telehub::hub
