#include "store/schema.hpp"

#include <array>

namespace gk::store {
namespace {

constexpr std::string_view kV1Users = R"sql(
CREATE TABLE users(
    id            INTEGER PRIMARY KEY,
    name          TEXT UNIQUE NOT NULL,
    password_hash TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER,
    updated_at    INTEGER
);
CREATE TABLE groups(
    id   INTEGER PRIMARY KEY,
    name TEXT UNIQUE NOT NULL
);
CREATE TABLE user_groups(
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY(user_id, group_id)
);
-- "which users are in group G" without a scan of the whole join table.
CREATE INDEX user_groups_by_group ON user_groups(group_id);
)sql";

// v2: per-realm Digest secrets, replaced together with the password.
constexpr std::string_view kV2DigestSecrets = R"sql(
CREATE TABLE digest_secrets(
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    realm     TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    ha1       TEXT NOT NULL,
    userhash  TEXT NOT NULL,  -- H(name:realm), for clients that send userhash=true
    PRIMARY KEY(user_id, realm, algorithm)
);
CREATE INDEX digest_secrets_by_userhash ON digest_secrets(userhash);
)sql";

// v3: gatekeeper as an issuer (include/gatekeeper/issuer/store.hpp). Secrets
// are stored as hex SHA-256 (or a password hash for client secrets), never
// as themselves. Lists are newline-joined text (their items hold no control
// characters). Times are Unix seconds; booleans are 0/1.
constexpr std::string_view kV3Issuer = R"sql(
CREATE TABLE sessions(
    id_hash    TEXT PRIMARY KEY NOT NULL CHECK(id_hash <> ''),
    user       TEXT NOT NULL CHECK(user <> ''),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions(user);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);

-- Clients may also come from the configuration: codes and refresh families
-- name a client_id without a foreign key to this table.
CREATE TABLE oauth_clients(
    client_id     TEXT PRIMARY KEY NOT NULL CHECK(client_id <> ''),
    secret_hash   TEXT NOT NULL DEFAULT '',  -- '' = public client
    name          TEXT NOT NULL DEFAULT '',
    redirect_uris TEXT NOT NULL DEFAULT '',
    scopes        TEXT NOT NULL DEFAULT '',
    grant_types   TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE auth_codes(
    code_hash      TEXT PRIMARY KEY NOT NULL CHECK(code_hash <> ''),
    client_id      TEXT NOT NULL CHECK(client_id <> ''),
    user           TEXT NOT NULL CHECK(user <> ''),
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    expires_at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX auth_codes_by_client ON auth_codes(client_id);

-- One family per grant: every rotation of a refresh token stays in it, and
-- reuse of a rotated token revokes the whole family (RFC 9700 4.14.2).
CREATE TABLE refresh_families(
    family_id  TEXT PRIMARY KEY NOT NULL CHECK(family_id <> ''),
    client_id  TEXT NOT NULL CHECK(client_id <> ''),
    user       TEXT NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0 CHECK(revoked IN (0, 1)),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL  -- absolute: rotation never extends it
) WITHOUT ROWID;
CREATE INDEX refresh_families_by_user ON refresh_families(user);
CREATE INDEX refresh_families_by_client ON refresh_families(client_id);

CREATE TABLE refresh_tokens(
    token_hash TEXT PRIMARY KEY NOT NULL CHECK(token_hash <> ''),
    family_id  TEXT NOT NULL REFERENCES refresh_families(family_id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    issued_at  INTEGER NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0 CHECK(used IN (0, 1))
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_by_family ON refresh_tokens(family_id);

CREATE TABLE revoked_jtis(
    jti        TEXT PRIMARY KEY NOT NULL CHECK(jti <> ''),
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX revoked_jtis_by_expiry ON revoked_jtis(expires_at);

CREATE TABLE api_keys(
    id         INTEGER PRIMARY KEY,
    name       TEXT UNIQUE NOT NULL CHECK(name <> ''),
    key_hash   TEXT UNIQUE NOT NULL CHECK(key_hash <> ''),
    hint       TEXT NOT NULL DEFAULT '',
    user       TEXT NOT NULL DEFAULT '',  -- '' = acts as the key's name
    scopes     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL DEFAULT 0 CHECK(expires_at >= 0),  -- 0 = never
    revoked    INTEGER NOT NULL DEFAULT 0 CHECK(revoked IN (0, 1))
);

-- A rowid table: rowid keeps insertion order as the tie-break of "oldest first".
CREATE TABLE signing_keys(
    kid         TEXT PRIMARY KEY NOT NULL CHECK(kid <> ''),
    alg         TEXT NOT NULL CHECK(alg <> ''),
    private_jwk TEXT NOT NULL CHECK(private_jwk <> ''),
    created_at  INTEGER NOT NULL,
    signs_from  INTEGER NOT NULL,
    retire_at   INTEGER NOT NULL DEFAULT 0 CHECK(retire_at >= 0)  -- 0 = current
);
)sql";

// A client may have its own access-token lifetime (a browser app: short).
constexpr std::string_view kV4ClientTokenTtl = R"sql(
ALTER TABLE oauth_clients ADD COLUMN access_token_ttl INTEGER NOT NULL DEFAULT 0 CHECK(access_token_ttl >= 0);
)sql";

constexpr std::array kMigrations{
    Migration{1, kV1Users},
    Migration{2, kV2DigestSecrets},
    Migration{3, kV3Issuer},
    Migration{4, kV4ClientTokenTtl},
};

}  // namespace

std::span<const Migration> gatekeeper_schema() { return kMigrations; }

}  // namespace gk::store
