#pragma once
// Users and groups in the embedded SQLite database (the demo's store, and
// the one to use when routes need groups).
//
// One connection behind one mutex: SQLite connections must not be used from
// two threads at once, and lookups are sub-millisecond next to the password
// hash that follows them, so the simple lock is not the bottleneck. (A pool
// of read connections is the upgrade path if it ever is: WAL lets readers run
// beside the writer.)
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/ports.hpp"
#include "store/sqlite_db.hpp"
#include "store/store_error.hpp"
#include "store/user_database.hpp"

namespace gk::store {

class SqliteUsers final : public UserDatabase {
public:
    // After a failed lookup the connection is reopened, at most once per
    // `retry_after`, until the database answers again.
    static constexpr std::chrono::milliseconds kDefaultRetryAfter{500};
    static Result<std::unique_ptr<SqliteUsers>, StoreError> open(
        const std::filesystem::path& path, std::chrono::milliseconds retry_after = kDefaultRetryAfter);

    // A store error is an error lookup (the gate answers 503 at once, never
    // "unknown user"). The failed connection is dropped: the next lookup
    // after the back-off reopens the file (only if it still exists: a deleted
    // database is not silently recreated empty), so the source recovers by
    // itself once the file is readable again, with no restart.
    [[nodiscard]] gate::UserLookup find(std::string_view name) const override;
    // Probes the database (through the same reopen rules): readyz follows it.
    [[nodiscard]] bool healthy() const override;
    [[nodiscard]] gate::UserLookup find_by_digest_userhash(std::string_view realm, std::string_view algorithm,
                                                           std::string_view userhash) const override;

    // Management. Names are checked (store/names.hpp); groups are created on
    // first use; duplicate groups in the argument are ignored.
    // Digest secrets (one per realm and algorithm) replace the user's previous
    // ones, in the same transaction as the password.
    Result<Ok, StoreError> add_user(std::string_view name, std::string_view password_hash,
                                    const std::vector<std::string>& groups, std::string_view email = {},
                                    const std::vector<gate::DigestSecret>& digest_secrets = {}) override;
    Result<Ok, StoreError> set_password(std::string_view name, std::string_view password_hash,
                                        const std::vector<gate::DigestSecret>& digest_secrets = {}) override;
    Result<Ok, StoreError> set_groups(std::string_view name, const std::vector<std::string>& groups) override;
    Result<Ok, StoreError> set_disabled(std::string_view name, bool disabled) override;
    Result<Ok, StoreError> delete_user(std::string_view name) override;
    // Every user, sorted by name, groups sorted.
    Result<std::vector<gate::UserRecord>, StoreError> list_users() const override;

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    SqliteUsers(SqliteDb db, std::filesystem::path path, std::chrono::milliseconds retry_after)
        : db_(std::move(db)), path_(std::move(path)), retry_after_(retry_after) {}
    Result<std::int64_t, StoreError> id_of(std::string_view name) const;  // caller holds mu_
    Result<Ok, StoreError> write_digest_secrets(std::int64_t user_id, std::string_view name,
                                                const std::vector<gate::DigestSecret>& secrets);
    Result<Ok, StoreError> write_groups(std::int64_t user_id, const std::vector<std::string>& groups);
    Result<std::optional<gate::UserRecord>, std::string> query_user(std::string_view name) const;
    // Lookup bookkeeping; the caller holds mu_. usable(): an error while the
    // connection failed and cannot be (re)opened yet; settle() records how a
    // lookup went.
    Result<Ok, std::string> usable() const;
    gate::UserLookup settle(gate::UserLookup r) const;
    Result<Ok, StoreError> update_one(std::string_view sql, std::string_view name, std::string_view value);

    mutable std::mutex mu_;
    mutable SqliteDb db_;
    std::filesystem::path path_;
    const std::chrono::milliseconds retry_after_;
    mutable bool failed_ = false;  // the last lookup failed: reopen before the next one
    mutable std::chrono::steady_clock::time_point failed_at_{};
    mutable std::string last_error_;
};

}  // namespace gk::store
