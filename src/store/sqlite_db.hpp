#pragma once
// RAII over one SQLite connection and its prepared statements, plus versioned
// migrations. A connection is not for concurrent use: callers that share one
// across threads serialise access themselves (SqliteUsers holds a mutex).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace gk::store {

struct Migration {
    int version;             // 1, 2, 3 ... applied in order, each exactly once
    std::string_view sql;    // may hold several statements
};

class Statement {
public:
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;

    // Parameters are 1-based, as in SQLite. Text is copied (SQLITE_TRANSIENT).
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, std::int64_t value);

    // true: a row is ready; false: done. Errors carry SQLite's message.
    Result<bool, std::string> step();
    // Runs to completion, ignoring rows.
    Result<Ok, std::string> run();

    [[nodiscard]] std::string column_text(int col) const;
    [[nodiscard]] std::int64_t column_int(int col) const;
    [[nodiscard]] bool column_is_null(int col) const;

private:
    friend class SqliteDb;
    struct Finalize { void operator()(sqlite3_stmt* s) const noexcept; };
    Statement(sqlite3_stmt* s, sqlite3* db) : stmt_(s), db_(db) {}
    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
    sqlite3* db_;
};

class SqliteDb {
public:
    // Opens (creating with mode 0600 if absent: it holds password hashes),
    // sets WAL, busy_timeout=5000, foreign_keys=ON, synchronous=FULL, then
    // applies every migration newer than the file's version, each in its own
    // IMMEDIATE transaction. Refuses a file migrated by a newer gatekeeper.
    static Result<SqliteDb, std::string> open(const std::filesystem::path& path, std::span<const Migration> migrations);

    SqliteDb(SqliteDb&&) noexcept = default;
    SqliteDb& operator=(SqliteDb&&) noexcept = default;

    Result<Statement, std::string> prepare(std::string_view sql);
    Result<Ok, std::string> exec(std::string_view sql);   // several statements, no results
    [[nodiscard]] std::int64_t changes() const;           // rows touched by the last statement
    [[nodiscard]] int schema_version();                   // highest applied migration, 0 if none
    // SQLite's extended code of the last failure (e.g. to tell a UNIQUE violation).
    [[nodiscard]] int last_error_code() const;
    [[nodiscard]] sqlite3* handle() const noexcept { return db_.get(); }

private:
    struct Close { void operator()(sqlite3* db) const noexcept; };
    explicit SqliteDb(sqlite3* db) : db_(db) {}
    Result<Ok, std::string> migrate(std::span<const Migration> migrations);
    std::unique_ptr<sqlite3, Close> db_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if commit() is never reached.
// IMMEDIATE takes the write lock up front, so a read-then-write inside cannot
// fail half way with SQLITE_BUSY.
class Transaction {
public:
    static Result<Transaction, std::string> begin(SqliteDb& db);
    Transaction(Transaction&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    ~Transaction();
    Result<Ok, std::string> commit();

private:
    explicit Transaction(SqliteDb* db) : db_(db) {}
    SqliteDb* db_;
};

}  // namespace gk::store
