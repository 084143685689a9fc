// Opening, shared helpers, sessions and jti revocations. OAuth clients, codes
// and refresh tokens are in pg_issuer_oauth.cpp; API keys and signing keys in
// pg_issuer_keys.cpp.
#include "store/pg_issuer_store.hpp"

#include <algorithm>

#include "gatekeeper/httpauth/utf8.hpp"
#include "store/pg_schema.hpp"

namespace gk::store {

namespace pg_issuer_detail {

using Kind = issuer::StoreFailure::Kind;

issuer::StoreFailure invalid(const std::string& message) { return {Kind::invalid, message}; }

issuer::StoreFailure failure(const PgError& e, const std::string& what) {
    // Class 23 is integrity; 22 is bad data (a value the column refuses).
    if (e.sqlstate == "23505") return {Kind::exists, what + " already exists"};
    if (e.sqlstate == "23514" || e.sqlstate == "23502")
        return {Kind::invalid, what + ": a required value is missing or empty"};
    if (e.sqlstate.starts_with("22")) return {Kind::invalid, what + ": a value is not valid for its column"};
    return {Kind::unavailable, what + ": " + e.message};
}

std::string num(std::int64_t v) { return std::to_string(v); }

bool is_text(std::string_view s) { return s.find('\0') == std::string_view::npos && httpauth::is_utf8(s); }

}  // namespace pg_issuer_detail

namespace {

using namespace pg_issuer_detail;

constexpr PgStatement kFindSession{"gk_find_session",
                                   "SELECT id_hash, username, csrf_token, created_at, last_seen, expires_at "
                                   "FROM sessions WHERE id_hash = $1"};
constexpr PgStatement kCreateSession{
    "gk_create_session",
    "INSERT INTO sessions(id_hash, username, csrf_token, created_at, last_seen, expires_at)"
    " VALUES($1, $2, $3, $4::bigint, $5::bigint, $6::bigint)"};
// GREATEST: touches recorded out of order never move last_seen back.
constexpr PgStatement kTouchSession{
    "gk_touch_session", "UPDATE sessions SET last_seen = GREATEST(last_seen, $2::bigint) WHERE id_hash = $1"};
constexpr PgStatement kDeleteSession{"gk_delete_session", "DELETE FROM sessions WHERE id_hash = $1"};
constexpr PgStatement kDeleteUserSessions{"gk_delete_user_sessions",
                                          "DELETE FROM sessions WHERE username = $1"};
constexpr PgStatement kPurgeSessions{"gk_purge_sessions",
                                     "DELETE FROM sessions WHERE expires_at <= $1::bigint"
                                     " OR ($2::bigint > 0 AND last_seen <= $1::bigint - $2::bigint)"};

// Revoking again can lengthen the entry, never shorten it.
constexpr PgStatement kRevokeJti{
    "gk_revoke_jti",
    "INSERT INTO revoked_jtis(jti, expires_at) VALUES($1, $2::bigint) ON CONFLICT(jti) DO UPDATE"
    " SET expires_at = GREATEST(revoked_jtis.expires_at, excluded.expires_at)"};
// One statement purges and lists: the SELECT sees the table as it was before
// the DELETE, so it skips the purged rows itself.
constexpr PgStatement kRevokedJtis{
    "gk_revoked_jtis",
    "WITH purged AS (DELETE FROM revoked_jtis WHERE expires_at <= $1::bigint)"
    " SELECT jti, expires_at FROM revoked_jtis WHERE expires_at > $1::bigint ORDER BY jti COLLATE \"C\""};

}  // namespace

Result<std::unique_ptr<PgIssuerStore>, std::string> PgIssuerStore::open(const std::string& conninfo,
                                                                        PgOptions options) {
    auto pool = std::make_unique<PgPool>(conninfo, options);
    {
        auto c = pool->acquire();
        if (!c) return fail("PostgreSQL issuer store: " + c.error().message);
        auto v = pg_migrate(**c, pg_issuer_schema());
        if (!v) return fail("PostgreSQL issuer store: " + v.error().message);
    }
    return std::unique_ptr<PgIssuerStore>(new PgIssuerStore(std::move(pool)));
}

Result<PgPool::Lease, issuer::StoreFailure> PgIssuerStore::lease() const {
    auto c = pool_->acquire();
    if (!c) return fail(issuer::StoreFailure{Kind::unavailable, c.error().message});
    return std::move(c).value();
}

issuer::StoreResult<PgResult> PgIssuerStore::query(const PgStatement& st,
                                                   std::initializer_list<std::string_view> params,
                                                   const std::string& what, Access access) const {
    if (access != Access::write && !std::all_of(params.begin(), params.end(), is_text)) return PgResult{};
    for (int attempt = 0;; ++attempt) {
        auto c = lease();
        if (!c) return fail(c.error());
        auto r = (*c)->exec(st, params);
        if (r) return std::move(r).value();
        if (access == Access::read && attempt == 0 && r.error().connection_lost()) continue;
        return fail(failure(r.error(), what));
    }
}

// Sessions.

Result<std::optional<gate::SessionRecord>, std::string> PgIssuerStore::find_session(
    std::string_view id_hash) const {
    auto r = query(kFindSession, {id_hash}, "session", Access::read);
    if (!r) return fail(r.error().message);
    if (r->rows() == 0) return std::optional<gate::SessionRecord>{};
    return std::optional<gate::SessionRecord>{gate::SessionRecord{
        r->text(0, 0), r->text(0, 1), r->text(0, 2), r->int64(0, 3), r->int64(0, 4), r->int64(0, 5)}};
}

issuer::StoreResult<Ok> PgIssuerStore::create_session(const gate::SessionRecord& s) {
    if (s.id_hash.empty() || s.user.empty()) return fail(invalid("session without an id hash or a user"));
    auto r = query(kCreateSession,
                   {s.id_hash, s.user, s.csrf_token, num(s.created_at), num(s.last_seen), num(s.expires_at)},
                   "session of user '" + s.user + "'");
    if (!r) return fail(r.error());
    return Ok{};
}

issuer::StoreResult<Ok> PgIssuerStore::touch_session(std::string_view id_hash, std::int64_t now) {
    auto r = query(kTouchSession, {id_hash, num(now)}, "session", Access::change);
    if (!r) return fail(r.error());
    if (r->affected() == 0) return fail(issuer::StoreFailure{Kind::not_found, "no such session"});
    return Ok{};
}

issuer::StoreResult<bool> PgIssuerStore::delete_session(std::string_view id_hash) {
    auto r = query(kDeleteSession, {id_hash}, "session", Access::change);
    if (!r) return fail(r.error());
    return r->affected() > 0;
}

issuer::StoreResult<int> PgIssuerStore::delete_user_sessions(std::string_view user) {
    auto r =
        query(kDeleteUserSessions, {user}, "sessions of user '" + std::string(user) + "'", Access::change);
    if (!r) return fail(r.error());
    return r->affected();
}

issuer::StoreResult<int> PgIssuerStore::purge_expired_sessions(std::int64_t now, std::int64_t idle_seconds) {
    auto r = query(kPurgeSessions, {num(now), num(idle_seconds)}, "sessions");
    if (!r) return fail(r.error());
    return r->affected();
}

// Access-token revocations.

issuer::StoreResult<Ok> PgIssuerStore::revoke_jti(std::string_view jti, std::int64_t expires_at) {
    if (jti.empty()) return fail(invalid("empty jti"));
    auto r = query(kRevokeJti, {jti, num(expires_at)}, "jti");
    if (!r) return fail(r.error());
    return Ok{};
}

issuer::StoreResult<std::vector<std::pair<std::string, std::int64_t>>> PgIssuerStore::revoked_jtis(
    std::int64_t now) {
    auto r = query(kRevokedJtis, {num(now)}, "revoked jtis");
    if (!r) return fail(r.error());
    std::vector<std::pair<std::string, std::int64_t>> out;
    out.reserve(static_cast<std::size_t>(r->rows()));
    for (int i = 0; i < r->rows(); ++i) out.emplace_back(r->text(i, 0), r->int64(i, 1));
    return out;
}

}  // namespace gk::store
