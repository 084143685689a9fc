#pragma once
// The issuer's state (sessions, OAuth clients, codes, refresh families, jti
// revocations, API keys, signing keys) in PostgreSQL, shared by every
// gatekeeper instance that opens the same database (scale-out, issue 10).
//
// What it guarantees:
// - The same behaviour as SqliteIssuerStore, case by case (its header lists
//   what the interface leaves open; tests/unit/store/
//   issuer_store_conformance_test.cpp runs one suite against both).
// - Atomic across instances: take_code is one DELETE ... RETURNING, so of
//   two redemptions only one finds the row; rotate_refresh runs in one
//   transaction that reads the token and its family with SELECT ... FOR
//   UPDATE, so a racing rotation of the same token (another connection,
//   another instance) waits for the first to commit and then reads
//   used = true: exactly one gets `rotated`, the other `reused`. Every
//   multi-statement change is one transaction; an early return rolls back.
// - open() migrates the schema (store/pg_schema) under an advisory lock, so
//   instances starting together apply it once; a database whose schema is
//   newer than this build knows is refused.
// - Every failure of the server or the network is Kind::unavailable (the
//   gate answers 503), never an exception: statement_timeout, lock_timeout,
//   connect_timeout and a client-side deadline bound each call
//   (store/pg_conn). A lost connection is dropped and made again on the next
//   call after a back-off, so the same store object works again once the
//   server is back; reads that met a lost connection are retried once on a
//   fresh one (they change nothing, so a retry is safe), writes are not.
// - Constraint failures keep their meaning: a duplicate key is `exists`, a
//   failed CHECK or NOT NULL `invalid`.
// - Text must be UTF-8 without NUL bytes (PostgreSQL's text type; SQLite
//   stores any bytes): a write with other bytes is invalid, and a lookup or
//   change by such a key finds no row, as no stored row can have it. Nothing
//   is ever truncated at a NUL.
// - Messages name clients, users, key names and kids, never a hash, a secret
//   or a parameter (only the server's primary message is kept, and only for
//   errors that are not constraint failures).
// Lists are newline-joined text as in SQLite; orderings (list_clients,
// list_api_keys, revoked_jtis) are by bytes (COLLATE "C"), as SQLite's.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/issuer/store.hpp"
#include "store/pg_conn.hpp"

namespace gk::store {

class PgIssuerStore final : public issuer::IssuerStore {
public:
    // conninfo: a libpq connection string or URI. Fails (with a message
    // fit for the operator) when the server cannot be reached or migrated.
    static Result<std::unique_ptr<PgIssuerStore>, std::string> open(const std::string& conninfo,
                                                                    PgOptions options = {});

    [[nodiscard]] Result<std::optional<gate::SessionRecord>, std::string> find_session(
        std::string_view id_hash) const override;
    [[nodiscard]] Result<std::optional<gate::ApiKeyRecord>, std::string> find_api_key(
        std::string_view key_hash) const override;

    issuer::StoreResult<Ok> create_session(const gate::SessionRecord& s) override;
    issuer::StoreResult<Ok> touch_session(std::string_view id_hash, std::int64_t now) override;
    issuer::StoreResult<bool> delete_session(std::string_view id_hash) override;
    issuer::StoreResult<int> delete_user_sessions(std::string_view user) override;
    issuer::StoreResult<int> purge_expired_sessions(std::int64_t now, std::int64_t idle_seconds) override;

    issuer::StoreResult<Ok> put_client(const issuer::Client& c) override;
    issuer::StoreResult<std::optional<issuer::Client>> find_client(std::string_view client_id) const override;
    issuer::StoreResult<std::vector<issuer::Client>> list_clients() const override;
    issuer::StoreResult<bool> delete_client(std::string_view client_id) override;

    issuer::StoreResult<Ok> save_code(const issuer::AuthorizationCode& c) override;
    issuer::StoreResult<std::optional<issuer::AuthorizationCode>> take_code(
        std::string_view code_hash) override;

    issuer::StoreResult<Ok> save_refresh(const issuer::RefreshToken& t) override;
    issuer::StoreResult<issuer::Rotation> rotate_refresh(std::string_view old_hash,
                                                         const issuer::RefreshToken& next,
                                                         std::int64_t now) override;
    issuer::StoreResult<std::optional<issuer::RefreshToken>> find_refresh(
        std::string_view token_hash) const override;
    issuer::StoreResult<bool> revoke_family(std::string_view family_id) override;
    issuer::StoreResult<int> revoke_user_families(std::string_view user) override;

    issuer::StoreResult<Ok> revoke_jti(std::string_view jti, std::int64_t expires_at) override;
    issuer::StoreResult<std::vector<std::pair<std::string, std::int64_t>>> revoked_jtis(
        std::int64_t now) override;

    issuer::StoreResult<Ok> create_api_key(const gate::ApiKeyRecord& k) override;
    issuer::StoreResult<std::vector<gate::ApiKeyRecord>> list_api_keys() const override;
    issuer::StoreResult<bool> revoke_api_key(std::string_view name) override;

    issuer::StoreResult<Ok> add_signing_key(const issuer::SigningKey& k) override;
    issuer::StoreResult<bool> add_first_signing_key(const issuer::SigningKey& k) override;
    issuer::StoreResult<std::vector<issuer::SigningKey>> signing_keys() const override;
    issuer::StoreResult<Ok> set_retire_at(std::string_view kid, std::int64_t retire_at) override;

private:
    explicit PgIssuerStore(std::unique_ptr<PgPool> pool) : pool_(std::move(pool)) {}

    enum class Access {
        read,    // a lookup: retried once after a lost connection (it changes nothing)
        change,  // an UPDATE / DELETE by key
        write,   // an INSERT / upsert
    };
    // One statement on a pooled connection, outside any transaction. For a
    // read or a change, a key PostgreSQL's text cannot hold (a NUL byte,
    // bytes that are not UTF-8) matches no row, as in SQLite: the result is
    // empty. A write of such text is invalid.
    issuer::StoreResult<PgResult> query(const PgStatement& st, std::initializer_list<std::string_view> params,
                                        const std::string& what, Access access = Access::write) const;
    Result<PgPool::Lease, issuer::StoreFailure> lease() const;

    std::unique_ptr<PgPool> pool_;  // thread-safe; const methods lease from it too
};

// Shared by the pg_issuer_*.cpp files; not for callers.
namespace pg_issuer_detail {
// A server error: unique violation -> exists, CHECK / NOT NULL / bad data ->
// invalid (message: `what` and the constraint's kind), anything else ->
// unavailable. `what` names the row (never a secret).
issuer::StoreFailure failure(const PgError& e, const std::string& what);
issuer::StoreFailure invalid(const std::string& message);
std::string num(std::int64_t v);
// Text PostgreSQL can hold: UTF-8 without NUL bytes.
bool is_text(std::string_view s);
}  // namespace pg_issuer_detail

}  // namespace gk::store
