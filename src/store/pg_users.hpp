#pragma once
// Users and groups in the shared PostgreSQL database (`users: { staff: {
// postgres: true } }`, state.postgres), so that every gatekeeper instance of
// a cluster sees the same users. Same management methods and semantics as
// SqliteUsers; tests/unit/store/user_directory_conformance_test.cpp runs one
// suite against both.
//
// Lookups run on the event-loop threads, so they never touch the network:
// they read an in-memory snapshot (name -> record, and the Digest userhash
// index) under a shared lock. refresh(), called every second by the server's
// control thread (store/user_sources OpenedDirectory::refresh), brings the
// snapshot up to date incrementally: every row carries a `rev` from a
// sequence, a deletion is a tombstone with a new rev, and refresh reads only
// the rows with a rev above the last one it saw. Writes go straight to the
// database; this object's own snapshot sees them at its next refresh.
//
// Fail closed: while refreshes fail, the last snapshot keeps serving (users
// can only change through the database, which this instance cannot reach,
// so the snapshot is what the cluster had unless the database is reachable
// from elsewhere); after `stale_after` of failures, lookups are errors (503)
// and healthy() is false. If the database is down at open, the object still
// opens and lookups are errors until a refresh succeeds: an instance
// recovers by itself.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/ports.hpp"
#include "store/pg_conn.hpp"
#include "store/store_error.hpp"
#include "store/user_database.hpp"

namespace gk::store {

class PgUsers final : public UserDatabase {
public:
    // How long a failing database may leave the snapshot serving. It bounds
    // what a partition can hide: a user deleted or disabled through an
    // instance that still reaches the database keeps passing on one that does
    // not for at most this long (plus one refresh period).
    static constexpr std::chrono::milliseconds kStaleAfter{60'000};

    // Migrates the schema (store/pg_schema) and loads the users. Never fails:
    // a database that cannot be reached now is retried by refresh();
    // last_error() says why the first load failed.
    static std::unique_ptr<PgUsers> open(const std::string& conninfo, PgOptions options = {},
                                         std::chrono::milliseconds stale_after = kStaleAfter);

    [[nodiscard]] gate::UserLookup find(std::string_view name) const override;
    // Loaded, and not failing for longer than stale_after.
    [[nodiscard]] bool healthy() const override;
    [[nodiscard]] gate::UserLookup find_by_digest_userhash(std::string_view realm, std::string_view algorithm,
                                                           std::string_view userhash) const override;

    // Reads the rows changed since the last refresh and applies them. Safe
    // from any thread; calls are serialised.
    Result<Ok, std::string> refresh();
    // Why the last refresh failed; empty after a success.
    [[nodiscard]] std::string last_error() const;

    // Management, as SqliteUsers: names checked (store/names.hpp), groups
    // sorted with duplicates folded, Digest secrets replaced with the password
    // in the same statement. Adding a deleted user's name again is allowed.
    Result<Ok, StoreError> add_user(std::string_view name, std::string_view password_hash,
                                    const std::vector<std::string>& groups, std::string_view email = {},
                                    const std::vector<gate::DigestSecret>& digest_secrets = {}) override;
    Result<Ok, StoreError> set_password(std::string_view name, std::string_view password_hash,
                                        const std::vector<gate::DigestSecret>& digest_secrets = {}) override;
    Result<Ok, StoreError> set_groups(std::string_view name, const std::vector<std::string>& groups) override;
    Result<Ok, StoreError> set_disabled(std::string_view name, bool disabled) override;
    Result<Ok, StoreError> delete_user(std::string_view name) override;
    // Every user, sorted by name (bytes), groups sorted: read from the
    // database, not the snapshot.
    Result<std::vector<gate::UserRecord>, StoreError> list_users() const override;

private:
    PgUsers(std::unique_ptr<PgPool> pool, std::chrono::milliseconds stale_after)
        : pool_(std::move(pool)), stale_after_(stale_after) {}
    // The schema is migrated once per object, on the first connection that works.
    Result<Ok, PgError> ensure_schema(PgConn& c) const;
    // One change in its own transaction, in rev order (see the .cpp); the rows it touched.
    Result<int, StoreError> write(const PgStatement& st, std::initializer_list<std::string_view> params,
                                  std::string_view name) const;
    // The caller holds mu_ (either way).
    Result<Ok, std::string> usable() const;
    void put(gate::UserRecord rec);  // the caller holds mu_ exclusively
    void erase(const std::string& name);

    std::unique_ptr<PgPool> pool_;
    const std::chrono::milliseconds stale_after_;
    mutable std::atomic<bool> migrated_{false};

    std::mutex refresh_mu_;      // one refresh at a time
    std::int64_t last_rev_ = 0;  // under refresh_mu_

    mutable std::shared_mutex mu_;  // guards everything below
    std::map<std::string, gate::UserRecord, std::less<>> users_;
    // (realm, algorithm, userhash) -> user name.
    std::map<std::tuple<std::string, std::string, std::string>, std::string> by_userhash_;
    bool loaded_ = false;
    std::optional<std::chrono::steady_clock::time_point> failing_since_;
    std::string last_error_;
};

}  // namespace gk::store
