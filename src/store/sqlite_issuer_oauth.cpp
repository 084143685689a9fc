// OAuth clients, authorization codes and refresh-token families.
#include <optional>

#include "store/issuer_lists.hpp"
#include "store/sqlite_issuer_store.hpp"

namespace gk::store {
namespace {

using namespace issuer_detail;
using issuer::Client;
using issuer::RefreshToken;
using issuer::RotateOutcome;
using issuer::Rotation;

constexpr std::string_view kClientColumns =
    "client_id, secret_hash, name, redirect_uris, scopes, grant_types, created_at, access_token_ttl";

Client read_client(const Statement& st) {
    return Client{st.column_text(0),        st.column_text(1),        st.column_text(2),
                  split(st.column_text(3)), split(st.column_text(4)), split(st.column_text(5)),
                  st.column_int(6),         st.column_int(7)};
}

constexpr std::string_view kCodeColumns = "client_id, user, redirect_uri, scope, code_challenge, expires_at";

constexpr std::string_view kSelectRefresh =
    "SELECT t.token_hash, t.family_id, f.client_id, f.user, t.scope, t.issued_at, f.expires_at, t.used, "
    "f.revoked"
    " FROM refresh_tokens t JOIN refresh_families f ON f.family_id = t.family_id WHERE t.token_hash = ?1";

}  // namespace

// Clients.

issuer::StoreResult<Ok> SqliteIssuerStore::put_client(const Client& c) {
    auto row = client_row(c);
    if (!row) return fail(row.error());

    std::lock_guard lock(wmu_);
    auto st = writer_.prepare("INSERT INTO oauth_clients(" + std::string(kClientColumns) +
                              ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(client_id) DO UPDATE SET"
                              " secret_hash = excluded.secret_hash, name = excluded.name,"
                              " redirect_uris = excluded.redirect_uris, scopes = excluded.scopes,"
                              " grant_types = excluded.grant_types, created_at = excluded.created_at,"
                              " access_token_ttl = excluded.access_token_ttl");
    if (!st) return fail(unavailable(st.error()));
    st->bind(1, c.client_id).bind(2, c.secret_hash).bind(3, c.name);
    st->bind(4, row->redirect_uris).bind(5, row->scopes).bind(6, row->grant_types);
    st->bind(7, c.created_at).bind(8, c.access_token_ttl);
    if (auto r = st->run(); !r) return fail(failure(writer_, row->what, r.error()));
    return Ok{};
}

issuer::StoreResult<std::optional<Client>> SqliteIssuerStore::find_client(std::string_view client_id) const {
    std::lock_guard lock(rmu_);
    auto st =
        reader_.prepare("SELECT " + std::string(kClientColumns) + " FROM oauth_clients WHERE client_id = ?1");
    if (!st) return fail(unavailable(st.error()));
    auto row = st->bind(1, client_id).step();
    if (!row) return fail(unavailable(row.error()));
    if (!row.value()) return std::optional<Client>{};
    return std::optional<Client>{read_client(*st)};
}

issuer::StoreResult<std::vector<Client>> SqliteIssuerStore::list_clients() const {
    std::lock_guard lock(rmu_);
    auto st =
        reader_.prepare("SELECT " + std::string(kClientColumns) + " FROM oauth_clients ORDER BY client_id");
    if (!st) return fail(unavailable(st.error()));
    std::vector<Client> out;
    for (;;) {
        auto row = st->step();
        if (!row) return fail(unavailable(row.error()));
        if (!row.value()) return out;
        out.push_back(read_client(*st));
    }
}

issuer::StoreResult<bool> SqliteIssuerStore::delete_client(std::string_view client_id) {
    const std::string what = "client '" + std::string(client_id) + "'";
    std::lock_guard lock(wmu_);
    auto tx = Transaction::begin(writer_);
    if (!tx) return fail(unavailable(tx.error()));
    auto gone = run(writer_, "DELETE FROM oauth_clients WHERE client_id = ?1", client_id, what);
    if (!gone) return fail(gone.error());
    if (gone.value() == 0) return false;  // rolled back: nothing was written
    if (auto r = run(writer_, "DELETE FROM auth_codes WHERE client_id = ?1", client_id, what); !r)
        return fail(r.error());
    if (auto r =
            run(writer_, "UPDATE refresh_families SET revoked = 1 WHERE client_id = ?1", client_id, what);
        !r)
        return fail(r.error());
    if (auto r = tx->commit(); !r) return fail(unavailable(r.error()));
    return true;
}

// Authorization codes.

issuer::StoreResult<Ok> SqliteIssuerStore::save_code(const issuer::AuthorizationCode& c) {
    if (c.code_hash.empty() || c.client_id.empty() || c.user.empty())
        return fail(invalid("authorization code without a hash, client or user"));
    std::lock_guard lock(wmu_);
    auto st = writer_.prepare("INSERT INTO auth_codes(code_hash, " + std::string(kCodeColumns) +
                              ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st) return fail(unavailable(st.error()));
    st->bind(1, c.code_hash).bind(2, c.client_id).bind(3, c.user).bind(4, c.redirect_uri);
    st->bind(5, c.scope).bind(6, c.code_challenge).bind(7, c.expires_at);
    if (auto r = st->run(); !r)
        return fail(failure(writer_, "authorization code for client '" + c.client_id + "'", r.error()));
    return Ok{};
}

// One statement deletes and returns the row: of two redemptions, in threads
// or processes, only the one whose DELETE found the row gets it.
issuer::StoreResult<std::optional<issuer::AuthorizationCode>> SqliteIssuerStore::take_code(
    std::string_view code_hash) {
    std::lock_guard lock(wmu_);
    auto st =
        writer_.prepare("DELETE FROM auth_codes WHERE code_hash = ?1 RETURNING " + std::string(kCodeColumns));
    if (!st) return fail(unavailable(st.error()));
    auto row = st->bind(1, code_hash).step();
    if (!row) return fail(unavailable(row.error()));
    if (!row.value()) return std::optional<issuer::AuthorizationCode>{};
    issuer::AuthorizationCode code{std::string(code_hash), st->column_text(0), st->column_text(1),
                                   st->column_text(2),     st->column_text(3), st->column_text(4),
                                   st->column_int(5)};
    // Step to the end: the implicit transaction commits there, and a failed
    // commit must not hand out a code that is still in the table.
    if (auto done = st->step(); !done || done.value())
        return fail(unavailable("authorization code: delete did not complete"));
    return std::optional<issuer::AuthorizationCode>{std::move(code)};
}

// Refresh tokens.

issuer::StoreResult<std::optional<RefreshToken>> SqliteIssuerStore::read_refresh(
    SqliteDb& db, std::string_view hash) const {
    auto st = db.prepare(kSelectRefresh);
    if (!st) return fail(unavailable(st.error()));
    auto row = st->bind(1, hash).step();
    if (!row) return fail(unavailable(row.error()));
    if (!row.value()) return std::optional<RefreshToken>{};
    return std::optional<RefreshToken>{RefreshToken{
        st->column_text(0), st->column_text(1), st->column_text(2), st->column_text(3), st->column_text(4),
        st->column_int(5), st->column_int(6), st->column_int(7) != 0, st->column_int(8) != 0}};
}

issuer::StoreResult<std::optional<RefreshToken>> SqliteIssuerStore::find_refresh(
    std::string_view token_hash) const {
    std::lock_guard lock(rmu_);
    return read_refresh(reader_, token_hash);
}

issuer::StoreResult<Ok> SqliteIssuerStore::save_refresh(const RefreshToken& t) {
    if (t.token_hash.empty() || t.family_id.empty() || t.client_id.empty())
        return fail(invalid("refresh token without a hash, family or client"));
    const std::string what = "refresh token for client '" + t.client_id + "'";
    std::lock_guard lock(wmu_);
    auto tx = Transaction::begin(writer_);
    if (!tx) return fail(unavailable(tx.error()));
    {
        auto fam = writer_.prepare(
            "INSERT INTO refresh_families(family_id, client_id, user, created_at, expires_at)"
            " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(family_id) DO NOTHING");
        if (!fam) return fail(unavailable(fam.error()));
        fam->bind(1, t.family_id)
            .bind(2, t.client_id)
            .bind(3, t.user)
            .bind(4, t.issued_at)
            .bind(5, t.expires_at);
        if (auto r = fam->run(); !r) return fail(failure(writer_, what, r.error()));
    }
    {
        // A continued family must be the same grant: a token cannot move to another client or user.
        auto same =
            writer_.prepare("SELECT client_id = ?2 AND user = ?3 FROM refresh_families WHERE family_id = ?1");
        if (!same) return fail(unavailable(same.error()));
        auto row = same->bind(1, t.family_id).bind(2, t.client_id).bind(3, t.user).step();
        if (!row || !row.value()) return fail(unavailable(what + ": family not found after insert"));
        if (same->column_int(0) == 0)
            return fail(invalid(what + ": its family belongs to another client or user"));
    }
    auto ins = writer_.prepare(
        "INSERT INTO refresh_tokens(token_hash, family_id, scope, issued_at) VALUES(?1, ?2, ?3, ?4)");
    if (!ins) return fail(unavailable(ins.error()));
    if (auto r = ins->bind(1, t.token_hash).bind(2, t.family_id).bind(3, t.scope).bind(4, t.issued_at).run();
        !r)
        return fail(failure(writer_, what, r.error()));
    if (auto r = tx->commit(); !r) return fail(unavailable(r.error()));
    return Ok{};
}

// BEGIN IMMEDIATE holds the database's write lock from the read to the
// commit, so a second rotation of the same token (another thread, another
// process) waits and then sees used = 1: it is reuse.
issuer::StoreResult<Rotation> SqliteIssuerStore::rotate_refresh(std::string_view old_hash,
                                                                const RefreshToken& next, std::int64_t now) {
    if (next.token_hash.empty()) return fail(invalid("rotation without a new token hash"));
    std::lock_guard lock(wmu_);
    auto tx = Transaction::begin(writer_);
    if (!tx) return fail(unavailable(tx.error()));
    auto found = read_refresh(writer_, old_hash);
    if (!found) return fail(found.error());
    if (!found.value()) return Rotation{RotateOutcome::unknown, std::nullopt};
    RefreshToken old = std::move(*found.value());
    const std::string what = "refresh token for client '" + old.client_id + "'";

    if (old.used) {
        if (auto r = run(writer_, "UPDATE refresh_families SET revoked = 1 WHERE family_id = ?1",
                         old.family_id, what);
            !r)
            return fail(r.error());
        if (auto r = tx->commit(); !r) return fail(unavailable(r.error()));
        old.revoked = true;
        return Rotation{RotateOutcome::reused, std::move(old)};
    }
    if (old.revoked) return Rotation{RotateOutcome::revoked, std::move(old)};
    if (now >= old.expires_at) return Rotation{RotateOutcome::expired, std::move(old)};
    if (!next.family_id.empty() && next.family_id != old.family_id)
        return fail(invalid(what + ": the new token names another family"));

    auto used =
        run(writer_, "UPDATE refresh_tokens SET used = 1 WHERE token_hash = ?1 AND used = 0", old_hash, what);
    if (!used) return fail(used.error());
    if (used.value() != 1) return fail(unavailable(what + ": changed under the write lock"));
    auto ins = writer_.prepare(
        "INSERT INTO refresh_tokens(token_hash, family_id, scope, issued_at) VALUES(?1, ?2, ?3, ?4)");
    if (!ins) return fail(unavailable(ins.error()));
    ins->bind(1, next.token_hash).bind(2, old.family_id).bind(3, next.scope.empty() ? old.scope : next.scope);
    ins->bind(4, next.issued_at != 0 ? next.issued_at : now);
    if (auto r = ins->run(); !r) return fail(failure(writer_, "new " + what, r.error()));
    if (auto r = tx->commit(); !r) return fail(unavailable(r.error()));
    old.used = true;
    return Rotation{RotateOutcome::rotated, std::move(old)};
}

issuer::StoreResult<bool> SqliteIssuerStore::revoke_family(std::string_view family_id) {
    auto n = change("UPDATE refresh_families SET revoked = 1 WHERE family_id = ?1", family_id);
    if (!n) return fail(n.error());
    return n.value() > 0;
}

issuer::StoreResult<int> SqliteIssuerStore::revoke_user_families(std::string_view user) {
    if (user.empty()) return fail(invalid("revoking the families of an empty user name"));
    return change("UPDATE refresh_families SET revoked = 1 WHERE user = ?1 AND revoked = 0", user);
}

}  // namespace gk::store
