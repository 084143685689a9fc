// Opening, shared helpers, sessions and jti revocations. OAuth clients, codes
// and refresh tokens are in sqlite_issuer_oauth.cpp; API keys and signing
// keys in sqlite_issuer_keys.cpp.
#include "store/sqlite_issuer_store.hpp"

#include <sqlite3.h>

#include "store/issuer_lists.hpp"
#include "store/schema.hpp"

namespace gk::store {

namespace issuer_detail {

using Kind = issuer::StoreFailure::Kind;

issuer::StoreFailure unavailable(const std::string& message) { return {Kind::unavailable, message}; }
issuer::StoreFailure invalid(const std::string& message) { return {Kind::invalid, message}; }

issuer::StoreFailure failure(const SqliteDb& db, const std::string& what, const std::string& sqlite_message) {
    // SQLite's constraint messages name the column, never the value.
    switch (db.last_error_code()) {
        case SQLITE_CONSTRAINT_PRIMARYKEY:
        case SQLITE_CONSTRAINT_UNIQUE:
            return {Kind::exists, what + " already exists"};
        case SQLITE_CONSTRAINT_CHECK:
        case SQLITE_CONSTRAINT_NOTNULL:
            return {Kind::invalid, what + ": " + sqlite_message};
        default:
            return {Kind::unavailable, what + ": " + sqlite_message};
    }
}

Result<std::string, issuer::StoreFailure> join(const std::vector<std::string>& items, std::string_view what) {
    return join_list(items, what);
}

std::vector<std::string> split(std::string_view joined) { return split_list(joined); }

issuer::StoreResult<int> run(SqliteDb& db, std::string_view sql, std::string_view arg,
                             const std::string& what) {
    auto st = db.prepare(sql);
    if (!st) return fail(unavailable(st.error()));
    if (auto r = st->bind(1, arg).run(); !r) return fail(failure(db, what, r.error()));
    return static_cast<int>(db.changes());
}

}  // namespace issuer_detail

namespace {

using namespace issuer_detail;

constexpr std::string_view kSessionColumns = "id_hash, user, csrf_token, created_at, last_seen, expires_at";

gate::SessionRecord read_session(const Statement& st) {
    return gate::SessionRecord{st.column_text(0), st.column_text(1), st.column_text(2),
                               st.column_int(3),  st.column_int(4),  st.column_int(5)};
}

}  // namespace

Result<std::unique_ptr<SqliteIssuerStore>, std::string> SqliteIssuerStore::open(
    const std::filesystem::path& path) {
    // The writer first: it applies any migration, so the reader finds none to do.
    auto writer = SqliteDb::open(path, gatekeeper_schema());
    if (!writer) return fail(writer.error());
    auto reader = SqliteDb::open(path, gatekeeper_schema());
    if (!reader) return fail(reader.error());
    // A slip that wrote through the reader would bypass the writer's lock and transactions.
    if (auto r = reader->exec("PRAGMA query_only=ON"); !r) return fail(path.string() + ": " + r.error());
    return std::unique_ptr<SqliteIssuerStore>(
        new SqliteIssuerStore(std::move(writer).value(), std::move(reader).value(), path));
}

issuer::StoreResult<int> SqliteIssuerStore::change(std::string_view sql, std::string_view arg) {
    std::lock_guard lock(wmu_);
    return run(writer_, sql, arg, "issuer store");
}

// Sessions.

Result<std::optional<gate::SessionRecord>, std::string> SqliteIssuerStore::find_session(
    std::string_view id_hash) const {
    std::lock_guard lock(rmu_);
    auto st = reader_.prepare("SELECT " + std::string(kSessionColumns) + " FROM sessions WHERE id_hash = ?1");
    if (!st) return fail(st.error());
    auto row = st->bind(1, id_hash).step();
    if (!row) return fail(row.error());
    if (!row.value()) return std::optional<gate::SessionRecord>{};
    return std::optional<gate::SessionRecord>{read_session(*st)};
}

issuer::StoreResult<Ok> SqliteIssuerStore::create_session(const gate::SessionRecord& s) {
    if (s.id_hash.empty() || s.user.empty()) return fail(invalid("session without an id hash or a user"));
    std::lock_guard lock(wmu_);
    auto st = writer_.prepare("INSERT INTO sessions(" + std::string(kSessionColumns) +
                              ") VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) return fail(unavailable(st.error()));
    st->bind(1, s.id_hash).bind(2, s.user).bind(3, s.csrf_token);
    st->bind(4, s.created_at).bind(5, s.last_seen).bind(6, s.expires_at);
    if (auto r = st->run(); !r) return fail(failure(writer_, "session of user '" + s.user + "'", r.error()));
    return Ok{};
}

issuer::StoreResult<Ok> SqliteIssuerStore::touch_session(std::string_view id_hash, std::int64_t now) {
    std::lock_guard lock(wmu_);
    // MAX: touches recorded out of order never move last_seen back.
    auto st = writer_.prepare("UPDATE sessions SET last_seen = MAX(last_seen, ?2) WHERE id_hash = ?1");
    if (!st) return fail(unavailable(st.error()));
    if (auto r = st->bind(1, id_hash).bind(2, now).run(); !r)
        return fail(failure(writer_, "session", r.error()));
    if (writer_.changes() == 0) return fail(issuer::StoreFailure{Kind::not_found, "no such session"});
    return Ok{};
}

issuer::StoreResult<bool> SqliteIssuerStore::delete_session(std::string_view id_hash) {
    auto n = change("DELETE FROM sessions WHERE id_hash = ?1", id_hash);
    if (!n) return fail(n.error());
    return n.value() > 0;
}

issuer::StoreResult<int> SqliteIssuerStore::delete_user_sessions(std::string_view user) {
    return change("DELETE FROM sessions WHERE user = ?1", user);
}

issuer::StoreResult<int> SqliteIssuerStore::purge_expired_sessions(std::int64_t now,
                                                                   std::int64_t idle_seconds) {
    std::lock_guard lock(wmu_);
    auto st = writer_.prepare(
        "DELETE FROM sessions WHERE expires_at <= ?1"
        " OR (?2 > 0 AND last_seen <= ?1 - ?2)");
    if (!st) return fail(unavailable(st.error()));
    if (auto r = st->bind(1, now).bind(2, idle_seconds).run(); !r)
        return fail(failure(writer_, "sessions", r.error()));
    return static_cast<int>(writer_.changes());
}

// Access-token revocations.

issuer::StoreResult<Ok> SqliteIssuerStore::revoke_jti(std::string_view jti, std::int64_t expires_at) {
    if (jti.empty()) return fail(invalid("empty jti"));
    std::lock_guard lock(wmu_);
    // Revoking again can lengthen the entry, never shorten it.
    auto st = writer_.prepare(
        "INSERT INTO revoked_jtis(jti, expires_at) VALUES(?1, ?2)"
        " ON CONFLICT(jti) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)");
    if (!st) return fail(unavailable(st.error()));
    if (auto r = st->bind(1, jti).bind(2, expires_at).run(); !r)
        return fail(failure(writer_, "jti", r.error()));
    return Ok{};
}

issuer::StoreResult<std::vector<std::pair<std::string, std::int64_t>>> SqliteIssuerStore::revoked_jtis(
    std::int64_t now) {
    std::lock_guard lock(wmu_);
    auto tx = Transaction::begin(writer_);
    if (!tx) return fail(unavailable(tx.error()));
    {
        auto purge = writer_.prepare("DELETE FROM revoked_jtis WHERE expires_at <= ?1");
        if (!purge) return fail(unavailable(purge.error()));
        if (auto r = purge->bind(1, now).run(); !r) return fail(failure(writer_, "revoked jtis", r.error()));
    }
    std::vector<std::pair<std::string, std::int64_t>> out;
    {
        // Scoped: a statement left open would make the COMMIT fail.
        auto st = writer_.prepare("SELECT jti, expires_at FROM revoked_jtis ORDER BY jti");
        if (!st) return fail(unavailable(st.error()));
        for (;;) {
            auto row = st->step();
            if (!row) return fail(unavailable(row.error()));
            if (!row.value()) break;
            out.emplace_back(st->column_text(0), st->column_int(1));
        }
    }
    if (auto r = tx->commit(); !r) return fail(unavailable(r.error()));
    return out;
}

}  // namespace gk::store
