// OAuth clients, authorization codes and refresh-token families.
#include <optional>

#include "store/issuer_lists.hpp"
#include "store/pg_issuer_store.hpp"

namespace gk::store {
namespace {

using namespace pg_issuer_detail;
using issuer::Client;
using issuer::RefreshToken;
using issuer::RotateOutcome;
using issuer::Rotation;
using Kind = issuer::StoreFailure::Kind;

#define GK_CLIENT_COLUMNS \
    "client_id, secret_hash, name, redirect_uris, scopes, grant_types, created_at, access_token_ttl"

Client read_client(const PgResult& r, int i) {
    return Client{r.text(i, 0),
                  r.text(i, 1),
                  r.text(i, 2),
                  split_list(r.text(i, 3)),
                  split_list(r.text(i, 4)),
                  split_list(r.text(i, 5)),
                  r.int64(i, 6),
                  r.int64(i, 7)};
}

constexpr PgStatement kPutClient{
    "gk_put_client",
    "INSERT INTO oauth_clients(" GK_CLIENT_COLUMNS
    ") VALUES($1, $2, $3, $4, $5, $6, $7::bigint, $8::bigint) ON CONFLICT(client_id) DO UPDATE SET"
    " secret_hash = excluded.secret_hash, name = excluded.name, redirect_uris = excluded.redirect_uris,"
    " scopes = excluded.scopes, grant_types = excluded.grant_types, created_at = excluded.created_at,"
    " access_token_ttl = excluded.access_token_ttl"};
constexpr PgStatement kFindClient{"gk_find_client",
                                  "SELECT " GK_CLIENT_COLUMNS " FROM oauth_clients WHERE client_id = $1"};
constexpr PgStatement kListClients{
    "gk_list_clients", "SELECT " GK_CLIENT_COLUMNS " FROM oauth_clients ORDER BY client_id COLLATE \"C\""};
constexpr PgStatement kDeleteClient{"gk_delete_client", "DELETE FROM oauth_clients WHERE client_id = $1"};
constexpr PgStatement kDeleteClientCodes{"gk_delete_client_codes",
                                         "DELETE FROM auth_codes WHERE client_id = $1"};
constexpr PgStatement kRevokeClientFamilies{
    "gk_revoke_client_families", "UPDATE refresh_families SET revoked = true WHERE client_id = $1"};

constexpr PgStatement kSaveCode{
    "gk_save_code",
    "INSERT INTO auth_codes(code_hash, client_id, username, redirect_uri, scope, code_challenge, expires_at)"
    " VALUES($1, $2, $3, $4, $5, $6, $7::bigint)"};
// One statement deletes and returns the row: of two redemptions, on any
// connections of any instances, only the one whose DELETE found it gets it.
constexpr PgStatement kTakeCode{
    "gk_take_code",
    "DELETE FROM auth_codes WHERE code_hash = $1"
    " RETURNING client_id, username, redirect_uri, scope, code_challenge, expires_at"};

#define GK_SELECT_REFRESH                                                                                    \
    "SELECT t.token_hash, t.family_id, f.client_id, f.username, t.scope, t.issued_at, f.expires_at, t.used," \
    " f.revoked FROM refresh_tokens t JOIN refresh_families f ON f.family_id = t.family_id"                  \
    " WHERE t.token_hash = $1"

constexpr PgStatement kFindRefresh{"gk_find_refresh", GK_SELECT_REFRESH};
// Locks the token and its family until the commit: a racing rotation of the
// same token waits here, then reads the row as the winner left it.
constexpr PgStatement kLockRefresh{"gk_lock_refresh", GK_SELECT_REFRESH " FOR UPDATE OF t, f"};
constexpr PgStatement kStartFamily{
    "gk_start_family",
    "INSERT INTO refresh_families(family_id, client_id, username, created_at, expires_at)"
    " VALUES($1, $2, $3, $4::bigint, $5::bigint) ON CONFLICT(family_id) DO NOTHING"};
constexpr PgStatement kSameGrant{
    "gk_same_grant", "SELECT client_id = $2 AND username = $3 FROM refresh_families WHERE family_id = $1"};
constexpr PgStatement kInsertToken{
    "gk_insert_token",
    "INSERT INTO refresh_tokens(token_hash, family_id, scope, issued_at) VALUES($1, $2, $3, $4::bigint)"};
constexpr PgStatement kMarkUsed{"gk_mark_used",
                                "UPDATE refresh_tokens SET used = true WHERE token_hash = $1 AND NOT used"};
constexpr PgStatement kRevokeFamily{"gk_revoke_family",
                                    "UPDATE refresh_families SET revoked = true WHERE family_id = $1"};
constexpr PgStatement kRevokeUserFamilies{
    "gk_revoke_user_families",
    "UPDATE refresh_families SET revoked = true WHERE username = $1 AND NOT revoked"};

RefreshToken read_refresh(const PgResult& r) {
    return RefreshToken{r.text(0, 0),  r.text(0, 1),  r.text(0, 2),    r.text(0, 3),   r.text(0, 4),
                        r.int64(0, 5), r.int64(0, 6), r.boolean(0, 7), r.boolean(0, 8)};
}

}  // namespace

// Clients.

issuer::StoreResult<Ok> PgIssuerStore::put_client(const Client& c) {
    auto row = client_row(c);
    if (!row) return fail(row.error());
    auto r = query(kPutClient,
                   {c.client_id, c.secret_hash, c.name, row->redirect_uris, row->scopes, row->grant_types,
                    num(c.created_at), num(c.access_token_ttl)},
                   row->what);
    if (!r) return fail(r.error());
    return Ok{};
}

issuer::StoreResult<std::optional<Client>> PgIssuerStore::find_client(std::string_view client_id) const {
    auto r = query(kFindClient, {client_id}, "client '" + std::string(client_id) + "'", Access::read);
    if (!r) return fail(r.error());
    if (r->rows() == 0) return std::optional<Client>{};
    return std::optional<Client>{read_client(*r, 0)};
}

issuer::StoreResult<std::vector<Client>> PgIssuerStore::list_clients() const {
    auto r = query(kListClients, {}, "clients", Access::read);
    if (!r) return fail(r.error());
    std::vector<Client> out;
    for (int i = 0; i < r->rows(); ++i) out.push_back(read_client(*r, i));
    return out;
}

issuer::StoreResult<bool> PgIssuerStore::delete_client(std::string_view client_id) {
    if (!is_text(client_id)) return false;  // no stored client has such an id
    const std::string what = "client '" + std::string(client_id) + "'";
    auto c = lease();
    if (!c) return fail(c.error());
    auto tx = PgTransaction::begin(**c);
    if (!tx) return fail(failure(tx.error(), what));
    auto gone = (*c)->exec(kDeleteClient, {client_id});
    if (!gone) return fail(failure(gone.error(), what));
    if (gone->affected() == 0) return false;  // rolled back: nothing was written
    for (const auto* st : {&kDeleteClientCodes, &kRevokeClientFamilies}) {
        if (auto r = (*c)->exec(*st, {client_id}); !r) return fail(failure(r.error(), what));
    }
    if (auto r = tx->commit(); !r) return fail(failure(r.error(), what));
    return true;
}

// Authorization codes.

issuer::StoreResult<Ok> PgIssuerStore::save_code(const issuer::AuthorizationCode& c) {
    if (c.code_hash.empty() || c.client_id.empty() || c.user.empty())
        return fail(invalid("authorization code without a hash, client or user"));
    auto r = query(
        kSaveCode,
        {c.code_hash, c.client_id, c.user, c.redirect_uri, c.scope, c.code_challenge, num(c.expires_at)},
        "authorization code for client '" + c.client_id + "'");
    if (!r) return fail(r.error());
    return Ok{};
}

issuer::StoreResult<std::optional<issuer::AuthorizationCode>> PgIssuerStore::take_code(
    std::string_view code_hash) {
    // Not retried: a DELETE that was lost with its connection may have run.
    auto r = query(kTakeCode, {code_hash}, "authorization code", Access::change);
    if (!r) return fail(r.error());
    if (r->rows() == 0) return std::optional<issuer::AuthorizationCode>{};
    return std::optional<issuer::AuthorizationCode>{
        issuer::AuthorizationCode{std::string(code_hash), r->text(0, 0), r->text(0, 1), r->text(0, 2),
                                  r->text(0, 3), r->text(0, 4), r->int64(0, 5)}};
}

// Refresh tokens.

issuer::StoreResult<std::optional<RefreshToken>> PgIssuerStore::find_refresh(
    std::string_view token_hash) const {
    auto r = query(kFindRefresh, {token_hash}, "refresh token", Access::read);
    if (!r) return fail(r.error());
    if (r->rows() == 0) return std::optional<RefreshToken>{};
    return std::optional<RefreshToken>{read_refresh(*r)};
}

issuer::StoreResult<Ok> PgIssuerStore::save_refresh(const RefreshToken& t) {
    if (t.token_hash.empty() || t.family_id.empty() || t.client_id.empty())
        return fail(invalid("refresh token without a hash, family or client"));
    const std::string what = "refresh token for client '" + t.client_id + "'";
    auto c = lease();
    if (!c) return fail(c.error());
    auto tx = PgTransaction::begin(**c);
    if (!tx) return fail(failure(tx.error(), what));
    if (auto r =
            (*c)->exec(kStartFamily, {t.family_id, t.client_id, t.user, num(t.issued_at), num(t.expires_at)});
        !r)
        return fail(failure(r.error(), what));
    // A continued family must be the same grant: a token cannot move to another client or user.
    auto same = (*c)->exec(kSameGrant, {t.family_id, t.client_id, t.user});
    if (!same) return fail(failure(same.error(), what));
    if (same->rows() != 1)
        return fail(issuer::StoreFailure{Kind::unavailable, what + ": family not found after insert"});
    if (!same->boolean(0, 0)) return fail(invalid(what + ": its family belongs to another client or user"));
    if (auto r = (*c)->exec(kInsertToken, {t.token_hash, t.family_id, t.scope, num(t.issued_at)}); !r)
        return fail(failure(r.error(), what));
    if (auto r = tx->commit(); !r) return fail(failure(r.error(), what));
    return Ok{};
}

issuer::StoreResult<Rotation> PgIssuerStore::rotate_refresh(std::string_view old_hash,
                                                            const RefreshToken& next, std::int64_t now) {
    if (next.token_hash.empty()) return fail(invalid("rotation without a new token hash"));
    if (!is_text(old_hash)) return Rotation{RotateOutcome::unknown, std::nullopt};
    auto c = lease();
    if (!c) return fail(c.error());
    auto tx = PgTransaction::begin(**c);
    if (!tx) return fail(failure(tx.error(), "refresh token"));
    auto found = (*c)->exec(kLockRefresh, {old_hash});
    if (!found) return fail(failure(found.error(), "refresh token"));
    if (found->rows() == 0) return Rotation{RotateOutcome::unknown, std::nullopt};
    RefreshToken old = read_refresh(*found);
    const std::string what = "refresh token for client '" + old.client_id + "'";

    if (old.used) {
        if (auto r = (*c)->exec(kRevokeFamily, {old.family_id}); !r) return fail(failure(r.error(), what));
        if (auto r = tx->commit(); !r) return fail(failure(r.error(), what));
        old.revoked = true;
        return Rotation{RotateOutcome::reused, std::move(old)};
    }
    if (old.revoked) return Rotation{RotateOutcome::revoked, std::move(old)};
    if (now >= old.expires_at) return Rotation{RotateOutcome::expired, std::move(old)};
    if (!next.family_id.empty() && next.family_id != old.family_id)
        return fail(invalid(what + ": the new token names another family"));

    auto used = (*c)->exec(kMarkUsed, {old_hash});
    if (!used) return fail(failure(used.error(), what));
    if (used->affected() != 1)
        return fail(issuer::StoreFailure{Kind::unavailable, what + ": changed under the row lock"});
    const std::string& scope = next.scope.empty() ? old.scope : next.scope;
    if (auto r = (*c)->exec(kInsertToken, {next.token_hash, old.family_id, scope,
                                           num(next.issued_at != 0 ? next.issued_at : now)});
        !r)
        return fail(failure(r.error(), "new " + what));
    if (auto r = tx->commit(); !r) return fail(failure(r.error(), what));
    old.used = true;
    return Rotation{RotateOutcome::rotated, std::move(old)};
}

issuer::StoreResult<bool> PgIssuerStore::revoke_family(std::string_view family_id) {
    auto r = query(kRevokeFamily, {family_id}, "refresh family", Access::change);
    if (!r) return fail(r.error());
    return r->affected() > 0;
}

issuer::StoreResult<int> PgIssuerStore::revoke_user_families(std::string_view user) {
    if (user.empty()) return fail(invalid("revoking the families of an empty user name"));
    auto r = query(kRevokeUserFamilies, {user}, "refresh families of user '" + std::string(user) + "'",
                   Access::change);
    if (!r) return fail(r.error());
    return r->affected();
}

}  // namespace gk::store
