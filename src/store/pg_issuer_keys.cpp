// API keys and signing keys.
#include "store/issuer_lists.hpp"
#include "store/pg_issuer_store.hpp"

namespace gk::store {
namespace {

using namespace pg_issuer_detail;
using Kind = issuer::StoreFailure::Kind;

#define GK_API_KEY_COLUMNS "name, key_hash, hint, username, scopes, created_at, expires_at, revoked"

gate::ApiKeyRecord read_api_key(const PgResult& r, int i) {
    return gate::ApiKeyRecord{
        r.text(i, 0),  r.text(i, 1),  r.text(i, 2),   r.text(i, 3), split_list(r.text(i, 4)),
        r.int64(i, 5), r.int64(i, 6), r.boolean(i, 7)};
}

constexpr PgStatement kFindApiKey{"gk_find_api_key",
                                  "SELECT " GK_API_KEY_COLUMNS " FROM api_keys WHERE key_hash = $1"};
constexpr PgStatement kCreateApiKey{"gk_create_api_key",
                                    "INSERT INTO api_keys(" GK_API_KEY_COLUMNS
                                    ") VALUES($1, $2, $3, $4, $5, $6::bigint, $7::bigint, $8::boolean)"};
constexpr PgStatement kListApiKeys{"gk_list_api_keys",
                                   "SELECT " GK_API_KEY_COLUMNS " FROM api_keys ORDER BY name COLLATE \"C\""};
constexpr PgStatement kRevokeApiKey{"gk_revoke_api_key",
                                    "UPDATE api_keys SET revoked = true WHERE name = $1"};

constexpr PgStatement kAddSigningKey{
    "gk_add_signing_key",
    "INSERT INTO signing_keys(kid, alg, private_jwk, created_at, signs_from, retire_at)"
    " VALUES($1, $2, $3, $4::bigint, $5::bigint, $6::bigint)"};
// Under the table lock taken before it, in one transaction: see add_first_signing_key.
constexpr PgStatement kAddFirstSigningKey{
    "gk_add_first_signing_key",
    "INSERT INTO signing_keys(kid, alg, private_jwk, created_at, signs_from, retire_at)"
    " SELECT $1, $2, $3, $4::bigint, $5::bigint, $6::bigint WHERE NOT EXISTS (SELECT 1 FROM signing_keys)"};
constexpr PgStatement kSigningKeys{"gk_signing_keys",
                                   "SELECT kid, alg, private_jwk, created_at, signs_from, retire_at FROM "
                                   "signing_keys ORDER BY created_at, seq"};
constexpr PgStatement kSetRetireAt{"gk_set_retire_at",
                                   "UPDATE signing_keys SET retire_at = $2::bigint WHERE kid = $1"};

}  // namespace

// API keys.

Result<std::optional<gate::ApiKeyRecord>, std::string> PgIssuerStore::find_api_key(
    std::string_view key_hash) const {
    auto r = query(kFindApiKey, {key_hash}, "API key", Access::read);
    if (!r) return fail(r.error().message);
    if (r->rows() == 0) return std::optional<gate::ApiKeyRecord>{};
    return std::optional<gate::ApiKeyRecord>{read_api_key(*r, 0)};
}

issuer::StoreResult<Ok> PgIssuerStore::create_api_key(const gate::ApiKeyRecord& k) {
    if (k.name.empty() || k.key_hash.empty()) return fail(invalid("API key without a name or a hash"));
    const std::string what = "API key '" + k.name + "'";
    if (k.expires_at < 0) return fail(invalid(what + ": negative expiry"));
    auto scopes = join_list(k.scopes, what + " scopes");
    if (!scopes) return fail(scopes.error());
    auto c = lease();
    if (!c) return fail(c.error());
    auto r = (*c)->exec(kCreateApiKey, {k.name, k.key_hash, k.hint, k.user, *scopes, num(k.created_at),
                                        num(k.expires_at), k.revoked ? "true" : "false"});
    if (!r) {
        // Which unique constraint: the name is the operator's to change; a
        // taken hash is named without the hash.
        if (r.error().sqlstate == "23505" && r.error().constraint == "api_keys_hash_key")
            return fail(issuer::StoreFailure{Kind::exists, "the hash of " + what + " already exists"});
        return fail(failure(r.error(), what));
    }
    return Ok{};
}

issuer::StoreResult<std::vector<gate::ApiKeyRecord>> PgIssuerStore::list_api_keys() const {
    auto r = query(kListApiKeys, {}, "API keys", Access::read);
    if (!r) return fail(r.error());
    std::vector<gate::ApiKeyRecord> out;
    for (int i = 0; i < r->rows(); ++i) out.push_back(read_api_key(*r, i));
    return out;
}

issuer::StoreResult<bool> PgIssuerStore::revoke_api_key(std::string_view name) {
    auto r = query(kRevokeApiKey, {name}, "API key '" + std::string(name) + "'", Access::change);
    if (!r) return fail(r.error());
    return r->affected() > 0;
}

// Signing keys.

namespace {
Result<Ok, issuer::StoreFailure> check_signing_key(const issuer::SigningKey& k) {
    if (k.kid.empty() || k.alg.empty() || k.private_jwk.empty())
        return fail(invalid("signing key without a kid, alg or private JWK"));
    if (k.retire_at < 0) return fail(invalid("signing key '" + k.kid + "': negative retire_at"));
    return Ok{};
}
}  // namespace

issuer::StoreResult<Ok> PgIssuerStore::add_signing_key(const issuer::SigningKey& k) {
    if (auto ok = check_signing_key(k); !ok) return fail(ok.error());
    auto r = query(kAddSigningKey, {k.kid, k.alg, k.private_jwk, num(k.created_at), num(k.signs_from), num(k.retire_at)},
                   "signing key '" + k.kid + "'");
    if (!r) return fail(r.error());
    return Ok{};
}

// READ COMMITTED takes a snapshot per statement, so "WHERE NOT EXISTS" alone
// lets two instances both see an empty table and both insert. The lock (which
// conflicts with itself) makes the second wait for the first's commit; its
// statement then sees the first key and inserts nothing.
issuer::StoreResult<bool> PgIssuerStore::add_first_signing_key(const issuer::SigningKey& k) {
    if (auto ok = check_signing_key(k); !ok) return fail(ok.error());
    const std::string what = "signing key '" + k.kid + "'";
    auto c = lease();
    if (!c) return fail(c.error());
    auto tx = PgTransaction::begin(**c);
    if (!tx) return fail(failure(tx.error(), what));
    if (auto r = (*c)->exec_sql("LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE"); !r)
        return fail(failure(r.error(), what));
    auto r = (*c)->exec(kAddFirstSigningKey,
                        {k.kid, k.alg, k.private_jwk, num(k.created_at), num(k.signs_from), num(k.retire_at)});
    if (!r) return fail(failure(r.error(), what));
    if (auto done = tx->commit(); !done) return fail(failure(done.error(), what));
    return r->affected() > 0;
}

issuer::StoreResult<std::vector<issuer::SigningKey>> PgIssuerStore::signing_keys() const {
    auto r = query(kSigningKeys, {}, "signing keys", Access::read);
    if (!r) return fail(r.error());
    std::vector<issuer::SigningKey> out;
    for (int i = 0; i < r->rows(); ++i) {
        out.push_back(issuer::SigningKey{r->text(i, 0), r->text(i, 1), r->text(i, 2), r->int64(i, 3),
                                         r->int64(i, 4), r->int64(i, 5)});
    }
    return out;
}

issuer::StoreResult<Ok> PgIssuerStore::set_retire_at(std::string_view kid, std::int64_t retire_at) {
    const std::string what = "signing key '" + std::string(kid) + "'";
    if (retire_at < 0) return fail(invalid(what + ": negative retire_at"));
    auto r = query(kSetRetireAt, {kid, num(retire_at)}, what, Access::change);
    if (!r) return fail(r.error());
    if (r->affected() == 0) return fail(issuer::StoreFailure{Kind::not_found, "no " + what});
    return Ok{};
}

}  // namespace gk::store
