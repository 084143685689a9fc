#pragma once
// One behaviour suite for the user databases with groups (SQLite and
// PostgreSQL; user_directory_conformance_test.cpp): each engine's test file
// gives a backend and instantiates the suite with it. What only one engine
// has (file faults, refresh across instances, a server going away) stays in
// that engine's own file.
//
// The PostgreSQL directory answers lookups from a snapshot that refresh()
// brings up to date (the server's tick calls it every second): its backend's
// sync() calls refresh(), and the suite calls sync() before every lookup
// (look(), by_userhash()), so a write is always followed by a refresh before
// it is looked for. SQLite's sync() does nothing.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "gatekeeper/gate/ports.hpp"
#include "store/store_error.hpp"
#include "test_util.hpp"

namespace gk::store::test {

// The management methods SqliteUsers and PgUsers share, behind one interface.
class UserDb {
public:
    virtual ~UserDb() = default;
    virtual const gate::UserDirectory& directory() const = 0;
    virtual void sync() = 0;
    virtual Result<Ok, StoreError> add_user(std::string_view name, std::string_view hash,
                                            const std::vector<std::string>& groups,
                                            std::string_view email = {},
                                            const std::vector<gate::DigestSecret>& secrets = {}) = 0;
    virtual Result<Ok, StoreError> set_password(std::string_view name, std::string_view hash,
                                                const std::vector<gate::DigestSecret>& secrets = {}) = 0;
    virtual Result<Ok, StoreError> set_groups(std::string_view name,
                                              const std::vector<std::string>& groups) = 0;
    virtual Result<Ok, StoreError> set_disabled(std::string_view name, bool disabled) = 0;
    virtual Result<Ok, StoreError> delete_user(std::string_view name) = 0;
    virtual Result<std::vector<gate::UserRecord>, StoreError> list_users() const = 0;
};

template <class Db>
class UserDbOf final : public UserDb {
public:
    UserDbOf(std::unique_ptr<Db> db, std::function<void(Db&)> sync)
        : db_(std::move(db)), sync_(std::move(sync)) {}
    const gate::UserDirectory& directory() const override { return *db_; }
    void sync() override {
        if (sync_) sync_(*db_);
    }
    Result<Ok, StoreError> add_user(std::string_view name, std::string_view hash,
                                    const std::vector<std::string>& groups, std::string_view email,
                                    const std::vector<gate::DigestSecret>& secrets) override {
        return db_->add_user(name, hash, groups, email, secrets);
    }
    Result<Ok, StoreError> set_password(std::string_view name, std::string_view hash,
                                        const std::vector<gate::DigestSecret>& secrets) override {
        return db_->set_password(name, hash, secrets);
    }
    Result<Ok, StoreError> set_groups(std::string_view name,
                                      const std::vector<std::string>& groups) override {
        return db_->set_groups(name, groups);
    }
    Result<Ok, StoreError> set_disabled(std::string_view name, bool disabled) override {
        return db_->set_disabled(name, disabled);
    }
    Result<Ok, StoreError> delete_user(std::string_view name) override { return db_->delete_user(name); }
    Result<std::vector<gate::UserRecord>, StoreError> list_users() const override {
        return db_->list_users();
    }

private:
    std::unique_ptr<Db> db_;
    std::function<void(Db&)> sync_;
};

class UserDirectoryBackend {
public:
    virtual ~UserDirectoryBackend() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    // A database on new, empty state (nullptr and a test failure if it cannot open).
    virtual std::unique_ptr<UserDb> fresh() = 0;
};

class UserDirectoryConformance : public ::testing::TestWithParam<UserDirectoryBackend*> {
protected:
    std::unique_ptr<UserDb> open() { return GetParam()->fresh(); }
    // A lookup after a sync: what a lookup answers once the writes are seen.
    static std::optional<gate::UserRecord> look(UserDb& db, std::string_view name) {
        db.sync();
        return must(db.directory().find(name));
    }
};

// The engine's name where GoogleTest would print an address.
inline void PrintTo(UserDirectoryBackend* b, std::ostream* os) { *os << b->name(); }

}  // namespace gk::store::test
