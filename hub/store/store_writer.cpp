#include "hub/store/store_writer.hpp"

#include <algorithm>
#include <map>

namespace telehub::hub {
namespace {

// Creating the tables first lets the statements below be prepared.
SqliteDb& with_schema(SqliteDb& db) {
    db.exec_or_throw(
        "CREATE TABLE IF NOT EXISTS hosts(key INTEGER PRIMARY KEY, host_id TEXT NOT NULL UNIQUE, hostname TEXT NOT NULL,"
        " cores INTEGER NOT NULL, interval_ms INTEGER NOT NULL, instance INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
        " last_seen_ms INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS blocks(host INTEGER NOT NULL, instance INTEGER NOT NULL, first_ts INTEGER NOT NULL,"
        " last_ts INTEGER NOT NULL, count INTEGER NOT NULL, names BLOB NOT NULL, data BLOB NOT NULL);"
        "CREATE INDEX IF NOT EXISTS blocks_by_host ON blocks(host, first_ts);"
        "CREATE INDEX IF NOT EXISTS blocks_by_age ON blocks(last_ts);"
        "CREATE TABLE IF NOT EXISTS minutes(host INTEGER NOT NULL, hour_ms INTEGER NOT NULL, data BLOB NOT NULL,"
        " PRIMARY KEY(host, hour_ms)) WITHOUT ROWID;"
        "PRAGMA user_version=1;");
    return db;
}

std::vector<std::uint8_t> join_names(const std::vector<std::string>& names) {
    std::vector<std::uint8_t> out;
    for (const auto& n : names) {
        out.insert(out.end(), n.begin(), n.end());
        out.push_back(0);
    }
    return out;
}

}  // namespace

StoreWriter::StoreWriter(const std::string& path)
    : db_(path),
      upsert_host_(with_schema(db_),
                   "INSERT INTO hosts(host_id, hostname, cores, interval_ms, instance, last_seq, last_seen_ms)"
                   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(host_id) DO UPDATE SET hostname=excluded.hostname,"
                   " cores=excluded.cores, interval_ms=excluded.interval_ms,"
                   " last_seq=CASE WHEN instance=excluded.instance THEN max(last_seq, excluded.last_seq)"
                   " ELSE excluded.last_seq END, instance=excluded.instance,"
                   " last_seen_ms=max(last_seen_ms, excluded.last_seen_ms) RETURNING key"),
      insert_block_(db_, "INSERT INTO blocks(host, instance, first_ts, last_ts, count, names, data)"
                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
      select_hour_(db_, "SELECT data FROM minutes WHERE host=?1 AND hour_ms=?2"),
      put_hour_(db_, "INSERT OR REPLACE INTO minutes(host, hour_ms, data) VALUES(?1, ?2, ?3)"),
      forget_blocks_(db_, "DELETE FROM blocks WHERE host=(SELECT key FROM hosts WHERE host_id=?1)"),
      forget_minutes_(db_, "DELETE FROM minutes WHERE host=(SELECT key FROM hosts WHERE host_id=?1)"),
      forget_host_(db_, "DELETE FROM hosts WHERE host_id=?1") {}

std::int64_t StoreWriter::upsert_host(const HostMeta& m) {
    upsert_host_.bind(1, m.host_id)
        .bind(2, m.hostname)
        .bind(3, std::int64_t{m.cores})
        .bind(4, std::int64_t{m.interval_ms})
        .bind(5, m.instance)
        .bind(6, static_cast<std::int64_t>(m.last_seq))
        .bind(7, m.last_seen_ms);
    std::int64_t key = upsert_host_.step() ? upsert_host_.int64(0) : -1;
    upsert_host_.reset();
    return key;
}

std::int64_t StoreWriter::write(const SaveBatch& b) {
    const auto key = upsert_host(b.meta);
    if (key < 0) return -1;
    const auto& pts = b.points.points;
    if (pts.empty()) return 0;
    auto block = encode_block(pts, b.points.base_ts_ms);
    std::int64_t first = b.points.base_ts_ms + pts.front().ts_offset_ms, last = first;
    for (const auto& p : pts) {
        first = std::min<std::int64_t>(first, b.points.base_ts_ms + p.ts_offset_ms);
        last = std::max<std::int64_t>(last, b.points.base_ts_ms + p.ts_offset_ms);
    }
    auto names = join_names(b.points.names);
    if (!insert_block_.bind(1, key)
             .bind(2, b.meta.instance)
             .bind(3, first)
             .bind(4, last)
             .bind(5, std::int64_t{block.count})
             .bind(6, std::span<const std::uint8_t>(names))
             .bind(7, std::span<const std::uint8_t>(block.bytes))
             .run())
        return -1;
    std::int64_t bytes = static_cast<std::int64_t>(block.bytes.size() + names.size());
    // The minute tier, an hour row at a time (a batch spans one or two hours).
    std::map<std::int64_t, std::vector<HistoryPoint>> by_hour;
    for (const auto& p : pts) by_hour[hour_of(b.points.base_ts_ms + p.ts_offset_ms)].push_back(p);
    for (const auto& [hour, hour_pts] : by_hour) {
        std::vector<MinuteRow> rows;
        select_hour_.bind(1, key).bind(2, hour);
        if (select_hour_.step()) rows = decode_minutes(select_hour_.blob(0), hour);
        select_hour_.reset();
        add_to_minutes(rows, hour_pts, b.points.base_ts_ms);
        auto data = encode_minutes(rows, hour);
        if (!put_hour_.bind(1, key).bind(2, hour).bind(3, std::span<const std::uint8_t>(data)).run()) return -1;
        bytes += static_cast<std::int64_t>(data.size());
    }
    return bytes;
}

bool StoreWriter::forget(const std::string& host_id) {
    return forget_blocks_.bind(1, host_id).run() && forget_minutes_.bind(1, host_id).run() &&
           forget_host_.bind(1, host_id).run();
}

bool StoreWriter::prune(std::int64_t seen_before_ms, std::int64_t full_before_ms, std::int64_t minutes_before_ms) {
    SqliteStatement gone_blocks(db_, "DELETE FROM blocks WHERE host IN (SELECT key FROM hosts WHERE last_seen_ms < ?1)");
    SqliteStatement gone_minutes(db_, "DELETE FROM minutes WHERE host IN (SELECT key FROM hosts WHERE last_seen_ms < ?1)");
    SqliteStatement gone_hosts(db_, "DELETE FROM hosts WHERE last_seen_ms < ?1");
    SqliteStatement old_blocks(db_, "DELETE FROM blocks WHERE last_ts < ?1");
    SqliteStatement old_minutes(db_, "DELETE FROM minutes WHERE hour_ms < ?1");
    return gone_blocks.bind(1, seen_before_ms).run() && gone_minutes.bind(1, seen_before_ms).run() &&
           gone_hosts.bind(1, seen_before_ms).run() && old_blocks.bind(1, full_before_ms).run() &&
           old_minutes.bind(1, hour_of(minutes_before_ms)).run();
}

}  // namespace telehub::hub
