#pragma once
// The issuer's state (sessions, OAuth clients, codes, refresh families, jti
// revocations, API keys, signing keys) in the embedded SQLite database, the
// same file as the users (both open it with gatekeeper_schema()).
//
// Two connections. Writes go through one, behind its own mutex, each
// multi-step change in one BEGIN IMMEDIATE transaction: that takes SQLite's
// write lock up front, so changes are atomic across threads and also across
// processes sharing the file (the CLI beside the server). Reads go through
// the other (query_only), behind a second mutex, so a per-request
// find_session / find_api_key never waits behind a writer's fsync: WAL lets
// readers run beside the writer and each read sees the last commit.
//
// Behaviour the interface leaves open:
// - touch_session and set_retire_at on a missing row fail with not_found
//   (the caller may ignore it: a touch racing a logout is normal).
//   touch_session never moves last_seen backwards.
// - purge_expired_sessions ends sessions with now >= expires_at, and, when
//   idle_seconds > 0, those with now >= last_seen + idle_seconds.
// - find_session / find_api_key return the row whatever its times; a
//   revoked API key is returned with revoked = true (the gate refuses it and
//   can say which key it was). list_api_keys includes revoked keys.
// - delete_client also deletes the client's pending codes and revokes its
//   refresh families (RFC 7592 2.3: a deleted client's grants end with it).
// - save_refresh starts a family, or continues one with the same client and
//   user (else invalid); a continued family keeps its expires_at. The
//   token is stored unused; its used and revoked fields are ignored.
// - rotate_refresh checks, in this order: unknown, used (-> reused, family
//   revoked), family revoked, expired (now >= expires_at), then rotates.
//   `next` joins the presented token's family: its family_id may be empty
//   (a different one is invalid); its client_id, user and expires_at are
//   the family's; an empty scope inherits the old token's; issued_at 0 means
//   `now`. Rotation::old is the presented token as stored after the call.
// - revoke_family answers whether the family exists (revoking twice: true);
//   revoke_user_families counts families that were not yet revoked.
// - revoked_jtis(now) deletes entries with expires_at <= now and returns the
//   rest, sorted by jti. A verifier with clock leeway passes now - leeway,
//   or a revoked token would come back for the leeway's length.
// - Lists (redirect_uris, scopes, grant_types) refuse empty items and items
//   with control characters (invalid): they are stored newline-joined.
// - Errors name clients, users, key names and kids, never a hash or secret.
// Expired codes and families are only removed by take_code and
// delete_client / the CASCADE; nothing purges them by time yet.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/issuer/store.hpp"
#include "store/sqlite_db.hpp"

namespace gk::store {

class SqliteIssuerStore final : public issuer::IssuerStore {
public:
    static Result<std::unique_ptr<SqliteIssuerStore>, std::string> open(const std::filesystem::path& path);

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

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    SqliteIssuerStore(SqliteDb writer, SqliteDb reader, std::filesystem::path path)
        : writer_(std::move(writer)), reader_(std::move(reader)), path_(std::move(path)) {}
    // Runs one row-changing statement with ?1 = arg on the writer (takes wmu_);
    // how many rows it changed.
    issuer::StoreResult<int> change(std::string_view sql, std::string_view arg);
    issuer::StoreResult<bool> insert_signing_key(const issuer::SigningKey& k, bool only_first);
    // The token row joined with its family, or nullopt (caller holds the connection's mutex).
    issuer::StoreResult<std::optional<issuer::RefreshToken>> read_refresh(SqliteDb& db,
                                                                          std::string_view hash) const;

    mutable std::mutex wmu_;  // guards writer_
    mutable SqliteDb writer_;
    mutable std::mutex rmu_;  // guards reader_
    mutable SqliteDb reader_;
    std::filesystem::path path_;
};

// Shared by the sqlite_issuer_*.cpp files; not for callers.
namespace issuer_detail {
// A failure of the last statement on `db`: UNIQUE/PRIMARY KEY -> exists,
// CHECK/NOT NULL -> invalid, anything else -> unavailable. `what` names the
// row for the operator (never a secret).
issuer::StoreFailure failure(const SqliteDb& db, const std::string& what, const std::string& sqlite_message);
issuer::StoreFailure unavailable(const std::string& message);
issuer::StoreFailure invalid(const std::string& message);
// Newline-joined lists; join refuses empty items and control characters.
Result<std::string, issuer::StoreFailure> join(const std::vector<std::string>& items, std::string_view what);
std::vector<std::string> split(std::string_view joined);
// Runs one row-changing statement with ?1 = arg (caller holds the lock);
// how many rows it changed.
issuer::StoreResult<int> run(SqliteDb& db, std::string_view sql, std::string_view arg,
                             const std::string& what);
}  // namespace issuer_detail

}  // namespace gk::store
