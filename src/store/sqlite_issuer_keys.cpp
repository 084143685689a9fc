// API keys and signing keys.
#include "store/sqlite_issuer_store.hpp"

namespace gk::store {
namespace {

using namespace issuer_detail;

constexpr std::string_view kApiKeyColumns =
    "name, key_hash, hint, user, scopes, created_at, expires_at, revoked";

gate::ApiKeyRecord read_api_key(const Statement& st) {
    return gate::ApiKeyRecord{st.column_text(0), st.column_text(1),        st.column_text(2),
                              st.column_text(3), split(st.column_text(4)), st.column_int(5),
                              st.column_int(6),  st.column_int(7) != 0};
}

constexpr std::string_view kSigningKeyColumns = "kid, alg, private_jwk, created_at, signs_from, retire_at";

}  // namespace

// API keys.

Result<std::optional<gate::ApiKeyRecord>, std::string> SqliteIssuerStore::find_api_key(
    std::string_view key_hash) const {
    std::lock_guard lock(rmu_);
    auto st = reader_.prepare("SELECT " + std::string(kApiKeyColumns) + " FROM api_keys WHERE key_hash = ?1");
    if (!st) return fail(st.error());
    auto row = st->bind(1, key_hash).step();
    if (!row) return fail(row.error());
    if (!row.value()) return std::optional<gate::ApiKeyRecord>{};
    return std::optional<gate::ApiKeyRecord>{read_api_key(*st)};
}

issuer::StoreResult<Ok> SqliteIssuerStore::create_api_key(const gate::ApiKeyRecord& k) {
    if (k.name.empty() || k.key_hash.empty()) return fail(invalid("API key without a name or a hash"));
    const std::string what = "API key '" + k.name + "'";
    if (k.expires_at < 0) return fail(invalid(what + ": negative expiry"));
    auto scopes = join(k.scopes, what + " scopes");
    if (!scopes) return fail(scopes.error());

    std::lock_guard lock(wmu_);
    auto tx = Transaction::begin(writer_);
    if (!tx) return fail(unavailable(tx.error()));
    {
        // Asked first, so that a UNIQUE failure below can only be the hash.
        auto taken = writer_.prepare("SELECT 1 FROM api_keys WHERE name = ?1");
        if (!taken) return fail(unavailable(taken.error()));
        auto row = taken->bind(1, k.name).step();
        if (!row) return fail(unavailable(row.error()));
        if (row.value())
            return fail(issuer::StoreFailure{issuer::StoreFailure::Kind::exists, what + " already exists"});
    }
    auto st = writer_.prepare("INSERT INTO api_keys(" + std::string(kApiKeyColumns) +
                              ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st) return fail(unavailable(st.error()));
    st->bind(1, k.name).bind(2, k.key_hash).bind(3, k.hint).bind(4, k.user).bind(5, *scopes);
    st->bind(6, k.created_at).bind(7, k.expires_at).bind(8, std::int64_t{k.revoked ? 1 : 0});
    if (auto r = st->run(); !r) return fail(failure(writer_, "the hash of " + what, r.error()));
    if (auto r = tx->commit(); !r) return fail(unavailable(r.error()));
    return Ok{};
}

issuer::StoreResult<std::vector<gate::ApiKeyRecord>> SqliteIssuerStore::list_api_keys() const {
    std::lock_guard lock(rmu_);
    auto st = reader_.prepare("SELECT " + std::string(kApiKeyColumns) + " FROM api_keys ORDER BY name");
    if (!st) return fail(unavailable(st.error()));
    std::vector<gate::ApiKeyRecord> out;
    for (;;) {
        auto row = st->step();
        if (!row) return fail(unavailable(row.error()));
        if (!row.value()) return out;
        out.push_back(read_api_key(*st));
    }
}

issuer::StoreResult<bool> SqliteIssuerStore::revoke_api_key(std::string_view name) {
    auto n = change("UPDATE api_keys SET revoked = 1 WHERE name = ?1", name);
    if (!n) return fail(n.error());
    return n.value() > 0;
}

// Signing keys.

// Both adds: one statement, so the "no key yet" test and the insert happen
// under SQLite's write lock together, also against another process.
issuer::StoreResult<bool> SqliteIssuerStore::insert_signing_key(const issuer::SigningKey& k, bool only_first) {
    if (k.kid.empty() || k.alg.empty() || k.private_jwk.empty())
        return fail(invalid("signing key without a kid, alg or private JWK"));
    const std::string what = "signing key '" + k.kid + "'";
    if (k.retire_at < 0) return fail(invalid(what + ": negative retire_at"));
    std::lock_guard lock(wmu_);
    auto st = writer_.prepare("INSERT INTO signing_keys(" + std::string(kSigningKeyColumns) +
                              ") SELECT ?1, ?2, ?3, ?4, ?5, ?6" +
                              (only_first ? " WHERE NOT EXISTS (SELECT 1 FROM signing_keys)" : ""));
    if (!st) return fail(unavailable(st.error()));
    st->bind(1, k.kid).bind(2, k.alg).bind(3, k.private_jwk);
    st->bind(4, k.created_at).bind(5, k.signs_from).bind(6, k.retire_at);
    if (auto r = st->run(); !r) return fail(failure(writer_, what, r.error()));
    return writer_.changes() > 0;
}

issuer::StoreResult<Ok> SqliteIssuerStore::add_signing_key(const issuer::SigningKey& k) {
    auto r = insert_signing_key(k, false);
    if (!r) return fail(r.error());
    return Ok{};
}

issuer::StoreResult<bool> SqliteIssuerStore::add_first_signing_key(const issuer::SigningKey& k) {
    return insert_signing_key(k, true);
}

issuer::StoreResult<std::vector<issuer::SigningKey>> SqliteIssuerStore::signing_keys() const {
    std::lock_guard lock(rmu_);
    auto st = reader_.prepare("SELECT " + std::string(kSigningKeyColumns) +
                              " FROM signing_keys ORDER BY created_at, rowid");
    if (!st) return fail(unavailable(st.error()));
    std::vector<issuer::SigningKey> out;
    for (;;) {
        auto row = st->step();
        if (!row) return fail(unavailable(row.error()));
        if (!row.value()) return out;
        out.push_back(issuer::SigningKey{st->column_text(0), st->column_text(1), st->column_text(2),
                                         st->column_int(3), st->column_int(4), st->column_int(5)});
    }
}

issuer::StoreResult<Ok> SqliteIssuerStore::set_retire_at(std::string_view kid, std::int64_t retire_at) {
    const std::string what = "signing key '" + std::string(kid) + "'";
    if (retire_at < 0) return fail(invalid(what + ": negative retire_at"));
    std::lock_guard lock(wmu_);
    auto st = writer_.prepare("UPDATE signing_keys SET retire_at = ?2 WHERE kid = ?1");
    if (!st) return fail(unavailable(st.error()));
    if (auto r = st->bind(1, kid).bind(2, retire_at).run(); !r)
        return fail(failure(writer_, what, r.error()));
    if (writer_.changes() == 0)
        return fail(issuer::StoreFailure{issuer::StoreFailure::Kind::not_found, "no " + what});
    return Ok{};
}

}  // namespace gk::store
