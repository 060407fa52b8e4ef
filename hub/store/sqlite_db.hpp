// A thin RAII layer over the SQLite C API: a connection and prepared
// statements. Opening and preparing throw std::runtime_error naming the file
// (start-up errors); stepping returns a value, so the writer thread can count
// a failed write and go on.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace telehub::hub {

class SqliteDb {
public:
    explicit SqliteDb(const std::string& path);  // opens or creates; WAL, synchronous=NORMAL
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    void exec_or_throw(const char* sql);
    bool exec(const char* sql);  // false on error (see error())
    std::string error() const;
    sqlite3* handle() const { return db_; }
    const std::string& path() const { return path_; }

private:
    sqlite3* db_ = nullptr;
    std::string path_;
};

class SqliteStatement {
public:
    SqliteStatement(SqliteDb& db, const char* sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    // Binds are 1-based, as in SQLite; each call resets the statement first if it ran.
    SqliteStatement& bind(int i, std::int64_t v);
    SqliteStatement& bind(int i, std::string_view v);
    SqliteStatement& bind(int i, std::span<const std::uint8_t> v);

    // true: a row is ready; false: done or failed (ok() tells which).
    bool step();
    bool ok() const { return ok_; }
    // Runs to the end; false on error.
    bool run();
    void reset();

    std::int64_t int64(int col) const;
    std::string text(int col) const;
    std::span<const std::uint8_t> blob(int col) const;  // valid until the next step

private:
    sqlite3_stmt* st_ = nullptr;
    bool ran_ = false;
    bool ok_ = true;
};

}  // namespace telehub::hub
