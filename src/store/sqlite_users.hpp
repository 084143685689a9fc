#pragma once
// Users and groups in the embedded SQLite database (the demo's store, and
// the one to use when routes need groups).
//
// One connection behind one mutex: SQLite connections must not be used from
// two threads at once, and lookups are sub-millisecond next to the password
// hash that follows them, so the simple lock is not the bottleneck. (A pool
// of read connections is the upgrade path if it ever is: WAL lets readers run
// beside the writer.)
#include <atomic>
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

namespace gk::store {

class SqliteUsers final : public gate::UserDirectory {
public:
    static Result<std::unique_ptr<SqliteUsers>, StoreError> open(const std::filesystem::path& path);

    // A store error is logged by nobody here: it makes find() answer nullopt
    // and healthy() false until a later query succeeds, so the gate fails closed.
    [[nodiscard]] std::optional<gate::UserRecord> find(std::string_view name) const override;
    [[nodiscard]] bool healthy() const override;
    [[nodiscard]] std::optional<gate::UserRecord> find_by_digest_userhash(std::string_view realm,
                                                                          std::string_view algorithm,
                                                                          std::string_view userhash) const override;

    // Management. Names are checked (store/names.hpp); groups are created on
    // first use; duplicate groups in the argument are ignored.
    // Digest secrets (one per realm and algorithm) replace the user's previous
    // ones, in the same transaction as the password.
    Result<Ok, StoreError> add_user(std::string_view name, std::string_view password_hash,
                                    const std::vector<std::string>& groups, std::string_view email = {},
                                    const std::vector<gate::DigestSecret>& digest_secrets = {});
    Result<Ok, StoreError> set_password(std::string_view name, std::string_view password_hash,
                                        const std::vector<gate::DigestSecret>& digest_secrets = {});
    Result<Ok, StoreError> set_groups(std::string_view name, const std::vector<std::string>& groups);
    Result<Ok, StoreError> set_disabled(std::string_view name, bool disabled);
    Result<Ok, StoreError> delete_user(std::string_view name);
    // Every user, sorted by name, groups sorted.
    Result<std::vector<gate::UserRecord>, StoreError> list_users() const;

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    SqliteUsers(SqliteDb db, std::filesystem::path path) : db_(std::move(db)), path_(std::move(path)) {}
    Result<std::int64_t, StoreError> id_of(std::string_view name) const;  // caller holds mu_
    Result<Ok, StoreError> write_digest_secrets(std::int64_t user_id, std::string_view name,
                                                const std::vector<gate::DigestSecret>& secrets);
    Result<Ok, StoreError> write_groups(std::int64_t user_id, const std::vector<std::string>& groups);
    Result<std::optional<gate::UserRecord>, std::string> query_user(std::string_view name) const;
    Result<Ok, StoreError> update_one(std::string_view sql, std::string_view name, std::string_view value);

    mutable std::mutex mu_;
    mutable SqliteDb db_;
    std::filesystem::path path_;
    mutable std::atomic<bool> healthy_{true};
};

}  // namespace gk::store
