#pragma once
// The write side of gatekeeper as an issuer: sessions, OAuth clients,
// authorization codes, refresh-token families, access-token revocations, API
// keys and signing keys. One interface so that the scale-out work can put it
// on another engine; the embedded SQLite store (store/sqlite_issuer_store)
// is the default. Every method is one atomic change: a crash loses no
// committed change and leaves no half-written one.
//
// Secrets are never stored: session ids, authorization codes, refresh tokens
// and API keys are kept as hex SHA-256 (they carry 256 random bits, so a fast
// hash is enough); client secrets as password hashes (argon2id).
// Times are Unix seconds (UTC).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/credential_store.hpp"

namespace gk::issuer {

struct StoreFailure {
    enum class Kind { unavailable, exists, not_found, invalid };
    Kind kind = Kind::unavailable;
    std::string message;  // for the operator; never a secret
};

template <class T>
using StoreResult = Result<T, StoreFailure>;

struct Client {
    std::string client_id;
    std::string secret_hash;                 // password hash; empty = public client (PKCE only, no secret)
    std::string name;                        // display name
    std::vector<std::string> redirect_uris;  // exact match (RFC 9700 2.1)
    std::vector<std::string> scopes;         // what it may ask for
    std::vector<std::string> grant_types;    // authorization_code, refresh_token, client_credentials
    std::int64_t created_at = 0;
    std::int64_t access_token_ttl = 0;       // seconds; 0 = the issuer's access_token_ttl
};

struct AuthorizationCode {
    std::string code_hash;
    std::string client_id;
    std::string user;
    std::string redirect_uri;
    std::string scope;           // space-separated, as granted
    std::string code_challenge;  // PKCE S256 (RFC 7636): base64url(SHA-256(verifier))
    std::int64_t expires_at = 0;
};

struct RefreshToken {
    std::string token_hash;
    std::string family_id;  // every rotation of one grant shares it
    std::string client_id;
    std::string user;
    std::string scope;
    std::int64_t issued_at = 0;
    std::int64_t expires_at = 0;  // the family's absolute end: rotation never extends it
    bool used = false;            // rotated already: a second use is reuse
    bool revoked = false;         // the family is revoked
};

// What rotating a refresh token did.
enum class RotateOutcome {
    rotated,  // old marked used, new stored in the same family
    reused,   // the token had been used before: its whole family is now revoked (RFC 9700 4.14.2)
    revoked,  // the family was revoked earlier
    expired,
    unknown,  // no such token
};

struct Rotation {
    RotateOutcome outcome = RotateOutcome::unknown;
    std::optional<RefreshToken> old;  // the presented token's record, when known
};

struct SigningKey {
    std::string kid;
    std::string alg;          // JOSE name: ES256, EdDSA, RS256
    std::string private_jwk;  // JSON text of the private JWK (the database file is 0600)
    std::int64_t created_at = 0;
    std::int64_t signs_from = 0;  // published at once, signs only from here (rotation overlap)
    std::int64_t retire_at = 0;   // 0 = current; past it the key is neither published nor trusted
};

class IssuerStore : public gate::CredentialStore {
public:
    // Sessions.
    virtual StoreResult<Ok> create_session(const gate::SessionRecord& s) = 0;
    virtual StoreResult<Ok> touch_session(std::string_view id_hash, std::int64_t now) = 0;
    virtual StoreResult<bool> delete_session(std::string_view id_hash) = 0;    // false: none
    virtual StoreResult<int> delete_user_sessions(std::string_view user) = 0;  // how many ended
    virtual StoreResult<int> purge_expired_sessions(std::int64_t now, std::int64_t idle_seconds) = 0;

    // OAuth clients.
    virtual StoreResult<Ok> put_client(const Client& c) = 0;  // insert or replace
    virtual StoreResult<std::optional<Client>> find_client(std::string_view client_id) const = 0;
    virtual StoreResult<std::vector<Client>> list_clients() const = 0;
    virtual StoreResult<bool> delete_client(std::string_view client_id) = 0;

    // Authorization codes: single use. take_code deletes and returns in one step,
    // so two redemptions of one code cannot both succeed.
    virtual StoreResult<Ok> save_code(const AuthorizationCode& c) = 0;
    virtual StoreResult<std::optional<AuthorizationCode>> take_code(std::string_view code_hash) = 0;

    // Refresh tokens.
    virtual StoreResult<Ok> save_refresh(const RefreshToken& t) = 0;  // starts or continues a family
    // Atomically: look up old_hash; if used -> revoke the family, reused; if the
    // family is revoked or the token expired at `now` -> say so; else mark it
    // used and store `next` (same family, its token_hash new). Two racing calls
    // with one token: exactly one gets `rotated`.
    virtual StoreResult<Rotation> rotate_refresh(std::string_view old_hash, const RefreshToken& next,
                                                 std::int64_t now) = 0;
    virtual StoreResult<std::optional<RefreshToken>> find_refresh(std::string_view token_hash) const = 0;
    virtual StoreResult<bool> revoke_family(std::string_view family_id) = 0;
    virtual StoreResult<int> revoke_user_families(std::string_view user) = 0;

    // Access-token revocation by jti, remembered until the token's exp.
    virtual StoreResult<Ok> revoke_jti(std::string_view jti, std::int64_t expires_at) = 0;
    // Every jti still to be refused at `now` (jti, exp); older entries may be purged.
    virtual StoreResult<std::vector<std::pair<std::string, std::int64_t>>> revoked_jtis(std::int64_t now) = 0;

    // API keys (lookups through gate::CredentialStore::find_api_key).
    virtual StoreResult<Ok> create_api_key(const gate::ApiKeyRecord& k) = 0;  // exists: name taken
    virtual StoreResult<std::vector<gate::ApiKeyRecord>> list_api_keys() const = 0;
    virtual StoreResult<bool> revoke_api_key(std::string_view name) = 0;  // false: no such key

    // Signing keys, oldest first.
    virtual StoreResult<Ok> add_signing_key(const SigningKey& k) = 0;
    // Adds `k` only while there is no key at all, atomically across every
    // process sharing the store: instances starting together on an empty
    // database make one first key between them, not one each. false: some
    // key already existed (nothing was added).
    virtual StoreResult<bool> add_first_signing_key(const SigningKey& k) = 0;
    virtual StoreResult<std::vector<SigningKey>> signing_keys() const = 0;
    virtual StoreResult<Ok> set_retire_at(std::string_view kid, std::int64_t retire_at) = 0;
};

}  // namespace gk::issuer
