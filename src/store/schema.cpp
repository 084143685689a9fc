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

constexpr std::array kMigrations{
    Migration{1, kV1Users},
    Migration{2, kV2DigestSecrets},
};

}  // namespace

std::span<const Migration> gatekeeper_schema() { return kMigrations; }

}  // namespace gk::store
