// The store's SQL, on the writer thread's own connection: the schema, one
// batch (its block row, the host's row, the minute tier's hour rows), a
// forget, and the age-based pruning. Each call returns false when SQLite
// failed (error() says why); the caller counts it and goes on.
#pragma once

#include <cstdint>
#include <string>

#include "hub/store/history_store.hpp"
#include "hub/store/sqlite_db.hpp"

namespace telehub::hub {

class StoreWriter {
public:
    explicit StoreWriter(const std::string& path);  // throws when the file cannot be opened or set up

    bool begin() { return db_.exec("BEGIN"); }
    bool commit() { return db_.exec("COMMIT"); }
    void rollback() { db_.exec("ROLLBACK"); }

    // Bytes of block and minute data written, or -1 on failure.
    std::int64_t write(const SaveBatch& batch);
    bool forget(const std::string& host_id);
    // Hosts not seen since `seen_before_ms`, with their rows; full rows
    // ending before `full_before_ms`; minute rows of hours before `minutes_before_ms`.
    bool prune(std::int64_t seen_before_ms, std::int64_t full_before_ms, std::int64_t minutes_before_ms);
    std::string error() const { return db_.error(); }

private:
    std::int64_t upsert_host(const HostMeta& m);

    SqliteDb db_;
    SqliteStatement upsert_host_, insert_block_, select_hour_, put_hour_, forget_blocks_, forget_minutes_, forget_host_;
};

}  // namespace telehub::hub
