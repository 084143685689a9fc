#include "store/sqlite_issuer_store.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "issuer_store_conformance.hpp"
#include "store/schema.hpp"
#include "store/sqlite_users.hpp"
#include "test_util.hpp"

namespace gk::store {
namespace {
using test::TempDir;

std::unique_ptr<SqliteIssuerStore> open_ok(const std::filesystem::path& p) {
    auto r = SqliteIssuerStore::open(p);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
    return r.ok() ? std::move(r).value() : nullptr;
}

// The value of a result that must succeed; a default value (and a test failure) otherwise.
template <class T>
T must(Result<T, std::string> r) {
    if (!r) {
        ADD_FAILURE() << r.error();
        return T{};
    }
    return std::move(r).value();
}

gate::SessionRecord session(std::string id, std::string user) {
    return {std::move(id), std::move(user), "csrf", 100, 100, 1000};
}

// The shared suite on SQLite: each fresh() is a new file in a new directory.
class SqliteBackend final : public test::IssuerStoreBackend {
public:
    [[nodiscard]] std::string name() const override { return "sqlite"; }
    std::unique_ptr<issuer::IssuerStore> fresh() override {
        dir_ = std::make_unique<TempDir>();
        return open_ok(*dir_ / "g.db");
    }
    std::unique_ptr<issuer::IssuerStore> another() override { return open_ok(*dir_ / "g.db"); }

private:
    std::unique_ptr<TempDir> dir_;
};

using test::IssuerStoreConformance;
SqliteBackend sqlite_backend;
INSTANTIATE_TEST_SUITE_P(Sqlite, IssuerStoreConformance, ::testing::Values(&sqlite_backend));

// ---- the file ----

TEST(SqliteIssuerStore, FileIsPrivate) {
    TempDir dir;
    {
        auto db = open_ok(dir / "g.db");
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->create_session(session("s1", "alice")).ok());
    }
    EXPECT_EQ(test::mode_of(dir / "g.db"), 0600u);
}

TEST(SqliteIssuerStore, UpgradeFromVersion2KeepsUsers) {
    TempDir dir;
    {
        auto v2 = SqliteDb::open(dir / "g.db", gatekeeper_schema().first(2));
        ASSERT_TRUE(v2.ok()) << v2.error();
        ASSERT_TRUE(v2->exec("INSERT INTO users(name, password_hash) VALUES('alice', 'H-alice')").ok());
        EXPECT_EQ(v2->schema_version(), 2);
    }
    auto db = open_ok(dir / "g.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->create_session(session("s1", "alice")).ok());
    auto users = SqliteUsers::open(dir / "g.db");
    ASSERT_TRUE(users.ok()) << users.error().message;
    auto alice = must((*users)->find("alice"));
    ASSERT_TRUE(alice.has_value());
    EXPECT_EQ(alice->password_hash, "H-alice");
    auto raw = SqliteDb::open(dir / "g.db", gatekeeper_schema());
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(raw->schema_version(), 4);
}

TEST(SqliteIssuerStore, RefusesANewerSchema) {
    TempDir dir;
    {
        auto db = open_ok(dir / "g.db");
        ASSERT_TRUE(db);
    }
    {
        auto raw = SqliteDb::open(dir / "g.db", gatekeeper_schema());
        ASSERT_TRUE(raw.ok());
        ASSERT_TRUE(raw->exec("INSERT INTO schema_migrations(version, applied_at) VALUES(99, 0)").ok());
    }
    auto r = SqliteIssuerStore::open(dir / "g.db");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("newer"), std::string::npos) << r.error();
}

// The hot reads use their own connection: a writer holding the write lock
// (another process mid-transaction) does not hold them up, and once it
// commits they see its change.
TEST(SqliteIssuerStore, ReadsDoNotWaitForAWriter) {
    TempDir dir;
    auto db = open_ok(dir / "g.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->create_session(session("s1", "alice")).ok());
    ASSERT_TRUE(db->create_api_key({"ci", "hash-ci", "", "", {}, 1, 0, false}).ok());
    auto other = SqliteDb::open(dir / "g.db", gatekeeper_schema());
    ASSERT_TRUE(other.ok());
    {
        auto tx = Transaction::begin(*other);
        ASSERT_TRUE(tx.ok());
        ASSERT_TRUE(other->exec("DELETE FROM sessions; UPDATE api_keys SET revoked = 1").ok());
        const auto t0 = std::chrono::steady_clock::now();
        EXPECT_TRUE(must(db->find_session("s1")).has_value()) << "last committed state";
        EXPECT_FALSE(must(db->find_api_key("hash-ci"))->revoked);
        EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1))
            << "not behind busy_timeout";
        ASSERT_TRUE(tx->commit().ok());
    }
    EXPECT_FALSE(must(db->find_session("s1")).has_value());
    EXPECT_TRUE(must(db->find_api_key("hash-ci"))->revoked);
}

}  // namespace
}  // namespace gk::store
