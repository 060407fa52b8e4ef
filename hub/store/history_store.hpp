// History that survives restarts: every host's points, its last seq and the
// one-minute tier in one SQLite file (WAL) in the data directory. Io threads
// only queue what to write (save, forget); a writer thread of the store's own
// writes the queue in one transaction every quarter second, folds each batch
// into the minute tier, and once a minute drops full-resolution rows older
// than the kept window and minute rows older than the retention. Reads (the
// load at start, minute queries) use a second connection, which WAL lets run
// beside the writer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "hub/history/history.hpp"

namespace telehub::hub {

struct StoreOptions {
    std::string path;                                      // the SQLite file
    std::int64_t keep_full_ms = 70LL * 60 * 1000;          // full-resolution rows: the hour the ring holds, and a margin
    std::int64_t retention_ms = 30LL * 24 * 3600 * 1000;   // minute rows (--retention)
    std::int64_t forget_after_ms = 7LL * 24 * 3600 * 1000; // hosts not seen this long are dropped at load (--forget-after)
};

struct StoreCounters {
    std::uint64_t batches_written = 0;
    std::uint64_t points_written = 0;
    std::uint64_t bytes_written = 0;  // block and minute bytes handed to SQLite
    std::uint64_t write_errors = 0;
    std::uint64_t queued = 0;         // batches waiting now
};

class HistoryStore {
public:
    // Opens or creates the file and its tables; throws std::runtime_error
    // naming the file when it cannot.
    explicit HistoryStore(StoreOptions options);
    ~HistoryStore();  // stop()

    // Messages about failed writes go here (the terminal log); default: none.
    void set_error_sink(std::function<void(const std::string&)> sink);

    // Calls `each` for every host seen within forget_after of `now_ms`, with
    // its points newer than now_ms - keep_full_ms; forgets the others. Call
    // before start().
    void load(std::int64_t now_ms, const std::function<void(LoadedHost&&)>& each);

    // Starts the writer thread.
    void start(std::function<std::int64_t()> clock);

    void save(SaveBatch batch);
    void forget(std::string host_id);

    // Minute rows of `host_id` from the one holding since_ms to those starting before until_ms, oldest first.
    std::vector<MinuteRow> minutes(const std::string& host_id, std::int64_t since_ms, std::int64_t until_ms);

    // Returns once everything queued before the call is committed.
    void flush();
    // Writes what is queued, then stops the writer thread. Idempotent.
    void stop();

    StoreCounters counters() const;
    const std::string& path() const { return options_.path; }

private:
    struct Forget {
        std::string host_id;
    };
    using Op = std::variant<SaveBatch, Forget>;

    void run();

    StoreOptions options_;
    std::function<void(const std::string&)> error_sink_;
    std::function<std::int64_t()> clock_;
    std::unique_ptr<class StoreWriter> writer_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::condition_variable done_cv_;
    std::deque<Op> queue_;
    std::uint64_t enqueued_ = 0, committed_ = 0;
    std::int64_t last_prune_ms_ = 0;
    bool stop_ = false;
    StoreCounters counters_;
    std::thread thread_;

    std::mutex read_mu_;  // the read connection is used by one caller at a time
    std::unique_ptr<class SqliteDb> reader_;
};

}  // namespace telehub::hub
