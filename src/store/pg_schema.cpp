#include "store/pg_schema.hpp"

#include <array>
#include <string>

namespace gk::store {
namespace {

// v1: the issuer's state, as the SQLite issuer schema holds it (see
// store/schema.cpp v3 and v4). Secrets are stored as hex SHA-256 (or a
// password hash for client secrets), never as themselves. Lists are
// newline-joined text (their items hold no control characters). Times are
// Unix seconds. `username`, not `user`: USER is reserved in PostgreSQL.
constexpr std::string_view kV1Issuer = R"sql(
CREATE TABLE sessions(
    id_hash    TEXT PRIMARY KEY CHECK (id_hash <> ''),
    username   TEXT NOT NULL CHECK (username <> ''),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(username);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);

-- Clients may also come from the configuration: codes and refresh families
-- name a client_id without a foreign key to this table.
CREATE TABLE oauth_clients(
    client_id        TEXT PRIMARY KEY CHECK (client_id <> ''),
    secret_hash      TEXT NOT NULL DEFAULT '',  -- '' = public client
    name             TEXT NOT NULL DEFAULT '',
    redirect_uris    TEXT NOT NULL DEFAULT '',
    scopes           TEXT NOT NULL DEFAULT '',
    grant_types      TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    access_token_ttl BIGINT NOT NULL DEFAULT 0 CHECK (access_token_ttl >= 0)
);

CREATE TABLE auth_codes(
    code_hash      TEXT PRIMARY KEY CHECK (code_hash <> ''),
    client_id      TEXT NOT NULL CHECK (client_id <> ''),
    username       TEXT NOT NULL CHECK (username <> ''),
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX auth_codes_by_client ON auth_codes(client_id);

-- One family per grant: every rotation of a refresh token stays in it, and
-- reuse of a rotated token revokes the whole family (RFC 9700 4.14.2).
CREATE TABLE refresh_families(
    family_id  TEXT PRIMARY KEY CHECK (family_id <> ''),
    client_id  TEXT NOT NULL CHECK (client_id <> ''),
    username   TEXT NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT false,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL  -- absolute: rotation never extends it
);
CREATE INDEX refresh_families_by_user ON refresh_families(username);
CREATE INDEX refresh_families_by_client ON refresh_families(client_id);

CREATE TABLE refresh_tokens(
    token_hash TEXT PRIMARY KEY CHECK (token_hash <> ''),
    family_id  TEXT NOT NULL REFERENCES refresh_families(family_id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    issued_at  BIGINT NOT NULL,
    used       BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens(family_id);

CREATE TABLE revoked_jtis(
    jti        TEXT PRIMARY KEY CHECK (jti <> ''),
    expires_at BIGINT NOT NULL
);
CREATE INDEX revoked_jtis_by_expiry ON revoked_jtis(expires_at);

-- Named constraints: a duplicate name and a duplicate hash get different messages.
CREATE TABLE api_keys(
    name       TEXT NOT NULL CHECK (name <> ''),
    key_hash   TEXT NOT NULL CHECK (key_hash <> ''),
    hint       TEXT NOT NULL DEFAULT '',
    username   TEXT NOT NULL DEFAULT '',  -- '' = acts as the key's name
    scopes     TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL DEFAULT 0 CHECK (expires_at >= 0),  -- 0 = never
    revoked    BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT api_keys_name_key PRIMARY KEY (name),
    CONSTRAINT api_keys_hash_key UNIQUE (key_hash)
);

-- seq keeps insertion order as the tie-break of "oldest first".
CREATE TABLE signing_keys(
    seq         BIGINT GENERATED ALWAYS AS IDENTITY,
    kid         TEXT PRIMARY KEY CHECK (kid <> ''),
    alg         TEXT NOT NULL CHECK (alg <> ''),
    private_jwk TEXT NOT NULL CHECK (private_jwk <> ''),
    created_at  BIGINT NOT NULL,
    signs_from  BIGINT NOT NULL,
    retire_at   BIGINT NOT NULL DEFAULT 0 CHECK (retire_at >= 0)  -- 0 = current
);
)sql";

// v2: users and groups (the `postgres: true` user source, store/pg_users).
// Rows are never deleted: a deletion is a tombstone (deleted, hash cleared)
// with a new rev, so an instance's incremental refresh (rev > the last it
// saw) learns of it. Groups and Digest secrets ("realm TAB algorithm TAB
// ha1") are arrays in the row, so one query reads a whole user.
constexpr std::string_view kV2Users = R"sql(
CREATE SEQUENCE users_rev;
CREATE TABLE users(
    name           TEXT PRIMARY KEY CHECK (name <> ''),
    password_hash  TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    disabled       BOOLEAN NOT NULL DEFAULT false,
    groups         TEXT[] NOT NULL DEFAULT '{}',
    digest_secrets TEXT[] NOT NULL DEFAULT '{}',
    rev            BIGINT NOT NULL,
    deleted        BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX users_by_rev ON users(rev);
)sql";

// Audit events of every instance (store/pg_audit.hpp); detail is the event's
// JSON object as the audit log file has it.
constexpr std::string_view kV3AuditEvents = R"sql(
CREATE TABLE audit_events(
    id       BIGSERIAL PRIMARY KEY,
    at       TIMESTAMPTZ NOT NULL,
    instance TEXT NOT NULL,
    event    TEXT NOT NULL,
    detail   JSONB NOT NULL
);
CREATE INDEX audit_events_at ON audit_events(at);
CREATE INDEX audit_events_event_at ON audit_events(event, at);
)sql";

constexpr std::array kMigrations{
    PgMigration{1, kV1Issuer},
    PgMigration{2, kV2Users},
    PgMigration{3, kV3AuditEvents},
};

// Long enough for another instance's migration to finish, still bounded.
constexpr std::chrono::milliseconds kMigrationBound{60'000};

}  // namespace

std::span<const PgMigration> pg_issuer_schema() { return kMigrations; }

Result<int, PgError> pg_migrate(PgConn& c, std::span<const PgMigration> migrations) {
    auto tx = PgTransaction::begin(c);
    if (!tx) return fail(tx.error());
    const std::string bound = std::to_string(kMigrationBound.count() - 5'000);
    if (auto r = c.exec_sql("SET LOCAL lock_timeout = " + bound + "; SET LOCAL statement_timeout = " + bound +
                                "; SELECT pg_advisory_xact_lock(" + std::to_string(kPgMigrationLock) + ")",
                            kMigrationBound);
        !r)
        return fail(r.error());
    // Under the lock: the table and the version read are those the last
    // holder committed (READ COMMITTED takes a snapshot per statement).
    auto current = c.exec_sql(
        "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL);"
        " SELECT coalesce(max(version), 0) FROM schema_version",
        kMigrationBound);
    if (!current) return fail(current.error());
    int version = static_cast<int>(current->int64(0, 0));
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    if (version > latest) {
        return fail(PgError{"XX000", "the database's schema is version " + std::to_string(version) +
                                         ", newer than this gatekeeper knows (" + std::to_string(latest) +
                                         ")"});
    }
    for (const auto& m : migrations) {
        if (m.version <= version) continue;
        if (auto r = c.exec_sql(m.sql, kMigrationBound); !r) {
            auto e = r.error();
            e.message = "schema version " + std::to_string(m.version) + ": " + e.message;
            return fail(std::move(e));
        }
        if (auto r = c.exec_sql("INSERT INTO schema_version(version, applied_at) VALUES(" +
                                    std::to_string(m.version) + ", extract(epoch from now())::bigint)",
                                kMigrationBound);
            !r)
            return fail(r.error());
        version = m.version;
    }
    if (auto r = tx->commit(); !r) return fail(r.error());
    return version;
}

}  // namespace gk::store
