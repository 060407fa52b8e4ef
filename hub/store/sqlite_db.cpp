#include "hub/store/sqlite_db.hpp"

#include <stdexcept>

#include <sqlite3.h>

namespace telehub::hub {

SqliteDb::SqliteDb(const std::string& path) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
        std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw std::runtime_error("cannot open the history store " + path + ": " + why);
    }
    // A busy reader or writer on the other connection waits instead of failing.
    sqlite3_busy_timeout(db_, 5000);
    // WAL: readers (history queries) never block the writer thread; NORMAL:
    // a committed batch survives the hub being killed (not a power cut).
    exec_or_throw("PRAGMA journal_mode=WAL");
    exec_or_throw("PRAGMA synchronous=NORMAL");
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

void SqliteDb::exec_or_throw(const char* sql) {
    if (!exec(sql)) throw std::runtime_error("history store " + path_ + ": " + error() + " (in " + sql + ")");
}

bool SqliteDb::exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

std::string SqliteDb::error() const { return sqlite3_errmsg(db_); }

SqliteStatement::SqliteStatement(SqliteDb& db, const char* sql) {
    if (sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &st_, nullptr) != SQLITE_OK)
        throw std::runtime_error("history store " + db.path() + ": " + db.error() + " (in " + sql + ")");
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(st_); }

void SqliteStatement::reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
    ran_ = false;
    ok_ = true;
}

SqliteStatement& SqliteStatement::bind(int i, std::int64_t v) {
    if (ran_) reset();
    sqlite3_bind_int64(st_, i, v);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int i, std::string_view v) {
    if (ran_) reset();
    sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int i, std::span<const std::uint8_t> v) {
    if (ran_) reset();
    sqlite3_bind_blob(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}

bool SqliteStatement::step() {
    ran_ = true;
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    ok_ = rc == SQLITE_DONE;
    return false;
}

bool SqliteStatement::run() {
    while (step()) {
    }
    bool good = ok_;
    reset();
    return good;
}

std::int64_t SqliteStatement::int64(int col) const { return sqlite3_column_int64(st_, col); }

std::string SqliteStatement::text(int col) const {
    auto* p = sqlite3_column_text(st_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(st_, col)))
             : std::string();
}

std::span<const std::uint8_t> SqliteStatement::blob(int col) const {
    auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st_, col));
    return {p, p ? static_cast<std::size_t>(sqlite3_column_bytes(st_, col)) : 0};
}

}  // namespace telehub::hub
