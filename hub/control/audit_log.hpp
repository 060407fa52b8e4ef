// The audit log (docs/protocol.md): one JSON line per relayed command,
// appended to a file by its own thread and flushed to the disk (fdatasync)
// before the caller is told, so the HTTP answer goes out only after its line
// is safe. The newest lines are also kept in memory for GET /api/audit,
// including the tail of the file from before this start.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace telehub::hub {

struct AuditEntry {
    std::string command_id;     // one per command; with --cluster, the same on the hub asked and the hub that ran it
    std::int64_t ts_ms = 0;     // when the request arrived
    std::string client;         // peer address:port
    std::string token_name;     // never the token itself
    std::string host;
    std::string op;
    std::string args_json = "{}";
    int status = 0;             // the HTTP status answered
    std::string result_json;    // kept for control ops; empty for queries
    std::size_t result_bytes = 0;
    std::string error_code;     // empty on success
    std::string error_message;
    std::int64_t ms = 0;        // time to the answer
    std::string held_by;        // --cluster, on the hub asked: the hub that ran it (its host's holder)
    std::string for_hub;        // --cluster, on the hub that ran it: the hub that was asked
};

// One line of the log, without the newline.
std::string audit_line(const AuditEntry& e);

class AuditLog {
public:
    // Opens (creating its directory) and appends to `path`. When the file
    // cannot be opened the hub still starts: open_error() says why, every
    // check_writable() fails until a reopen() succeeds.
    explicit AuditLog(std::string path, std::size_t keep_in_memory = 1000);
    ~AuditLog();  // stop()

    // Writes what is queued (calling its callbacks), then ends the thread.
    // Call it while the executors the callbacks post to are still alive.
    void stop();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    // Queues the line; `written(ok)` runs on the writer thread once it is on
    // the disk (ok false when the write failed: the error went to `on_error`).
    void append(const AuditEntry& e, std::function<void(bool ok)> written);

    // Whether a line could be written now, asked before a command runs (a
    // command that cannot be audited must not run): `done(error)` runs on the
    // writer thread with an empty error when the file is open, takes a write
    // (a zero-byte write fails on /dev/full) and has room reserved for the
    // next lines (fallocate on a regular file fails when the disk is full).
    void check_writable(std::function<void(std::string error)> done);

    // Why the file could not be opened at start (empty when it was).
    const std::string& open_error() const { return open_error_; }

    // The newest `limit` lines, oldest first.
    std::vector<std::string> tail(std::size_t limit) const;

    // Opens the file by its path again (after logrotate moved it away), on
    // the writer thread before its next write; if that fails the error goes
    // to the sink and the old file stays in use.
    void reopen();

    const std::string& path() const { return path_; }
    // Where write failures are reported (the terminal log); default stderr.
    void set_error_sink(std::function<void(const std::string&)> sink);

private:
    struct Pending {
        std::string line;
        std::function<void(bool)> written;
    };
    void run();
    bool write_all(const std::string& text);
    void load_tail();
    void reopen_file();
    std::string probe();

    std::string path_;
    std::size_t keep_;
    int fd_ = -1;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Pending> queue_;
    std::deque<std::function<void(std::string)>> checks_;
    std::string open_error_;
    std::deque<std::string> recent_;
    std::function<void(const std::string&)> on_error_;
    bool stopping_ = false;
    bool reopen_ = false;
    std::thread writer_;
};

}  // namespace telehub::hub
