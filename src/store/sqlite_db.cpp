#include "store/sqlite_db.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gk::store {
namespace {

std::string message(sqlite3* db, std::string_view context) {
    return std::string(context) + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
}

// SQLite would create the file with 0644 minus umask; a file of password
// hashes should not be world-readable, and the -wal/-shm files copy the
// main file's mode.
Result<Ok, std::string> create_private(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ::close(fd);
        return Ok{};
    }
    if (errno == EEXIST) return Ok{};
    return fail("cannot create " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

void Statement::Finalize::operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
void SqliteDb::Close::operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }

Statement& Statement::bind(int index, std::string_view text) {
    // Bind errors (bad index) resurface from step() as SQLITE_RANGE / MISUSE.
    // A default string_view has data() == nullptr, which SQLite binds as NULL:
    // empty text must stay empty text.
    const char* data = text.data() ? text.data() : "";
    sqlite3_bind_text64(stmt_.get(), index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_.get(), index, value);
    return *this;
}

Result<bool, std::string> Statement::step() {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return fail(message(db_, "sqlite step"));
}

Result<Ok, std::string> Statement::run() {
    for (;;) {
        auto r = step();
        if (!r) return fail(r.error());
        if (!r.value()) return Ok{};
    }
}

std::string Statement::column_text(int col) const {
    const auto* p = sqlite3_column_text(stmt_.get(), col);
    int n = sqlite3_column_bytes(stmt_.get(), col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

std::int64_t Statement::column_int(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
bool Statement::column_is_null(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }

Result<SqliteDb, std::string> SqliteDb::open(const std::filesystem::path& path, std::span<const Migration> migrations) {
    if (auto r = create_private(path); !r) return fail(r.error());
    sqlite3* raw = nullptr;
    // NOMUTEX: the owner serialises; FULLMUTEX would only hide a missing lock.
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    SqliteDb db(raw);  // closes even when open failed half way
    if (rc != SQLITE_OK) return fail(message(raw, "cannot open " + path.string()));
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, 5000);  // the CLI and the server share the file

    // synchronous=FULL rather than NORMAL: in WAL mode NORMAL survives a
    // process crash but a power cut may drop the last commits, and an operator
    // who saw "user added" or "password changed" (say, after a leak) must not
    // get the old state back. Writes here are rare admin actions, so the
    // extra fsync per commit costs nothing that matters.
    if (auto r = db.exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;"); !r)
        return fail("cannot open " + path.string() + ": " + r.error());
    // journal_mode answers with the mode it got; a read-only medium or some
    // network file systems silently refuse WAL.
    {
        // Scoped: a statement left mid-row would block every later COMMIT.
        auto mode = db.prepare("PRAGMA journal_mode");
        if (!mode) return fail(mode.error());
        if (auto row = mode->step(); !row || !row.value() || mode->column_text(0) != "wal")
            return fail("cannot open " + path.string() + ": WAL journal mode not available");
    }
    if (auto r = db.migrate(migrations); !r) return fail(path.string() + ": " + r.error());
    return db;
}

Result<Statement, std::string> SqliteDb::prepare(std::string_view sql) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &s, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(s);
        return fail(message(db_.get(), "sqlite prepare"));
    }
    return Statement(s, db_.get());
}

Result<Ok, std::string> SqliteDb::exec(std::string_view sql) {
    std::string copy(sql);  // sqlite3_exec wants a terminated string
    char* err = nullptr;
    int rc = sqlite3_exec(db_.get(), copy.c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return Ok{};
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return fail("sqlite: " + msg);
}

std::int64_t SqliteDb::changes() const { return sqlite3_changes64(db_.get()); }
int SqliteDb::last_error_code() const { return sqlite3_extended_errcode(db_.get()); }

int SqliteDb::schema_version() {
    auto st = prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!st) return 0;
    auto row = st->step();
    return row && row.value() ? static_cast<int>(st->column_int(0)) : 0;
}

Result<Ok, std::string> SqliteDb::migrate(std::span<const Migration> migrations) {
    if (auto r = exec("CREATE TABLE IF NOT EXISTS schema_migrations("
                      "version INTEGER PRIMARY KEY, applied_at INTEGER)");
        !r)
        return r;
    const int known = migrations.empty() ? 0 : migrations.back().version;
    for (const auto& m : migrations) {
        auto tx = Transaction::begin(*this);
        if (!tx) return fail(tx.error());
        // Read inside the write lock: two processes opening a fresh file at
        // once must not both apply the same migration.
        const int have = schema_version();
        if (have > known)
            return fail("database schema version " + std::to_string(have) +
                        " is newer than this gatekeeper knows (" + std::to_string(known) + ")");
        if (m.version <= have) continue;  // tx rolls back: nothing was written
        if (auto r = exec(m.sql); !r) return fail("migration " + std::to_string(m.version) + ": " + r.error());
        auto ins = prepare("INSERT INTO schema_migrations(version, applied_at) "
                           "VALUES(?1, CAST(strftime('%s','now') AS INTEGER))");
        if (!ins) return fail(ins.error());
        if (auto r = ins->bind(1, std::int64_t{m.version}).run(); !r) return fail(r.error());
        if (auto r = tx->commit(); !r) return fail(r.error());
    }
    // An empty migration list still refuses a newer file.
    if (migrations.empty() && schema_version() > 0)
        return fail("database schema version " + std::to_string(schema_version()) + " is newer than this gatekeeper");
    return Ok{};
}

Result<Transaction, std::string> Transaction::begin(SqliteDb& db) {
    if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return fail(r.error());
    return Transaction(&db);
}

Transaction::~Transaction() {
    if (db_) (void)db_->exec("ROLLBACK");
}

Result<Ok, std::string> Transaction::commit() {
    auto r = db_->exec("COMMIT");
    if (r) db_ = nullptr;  // a failed COMMIT is still rolled back by the destructor
    return r;
}

}  // namespace gk::store
