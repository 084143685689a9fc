// The PostgreSQL user directory against a real server (pg_test_server.hpp):
// the shared user-directory suite, then what only a shared database has:
// another instance's writes seen at refresh, the snapshot serving while the
// server is down and failing closed after the bound, recovery, parallel
// start-ups and concurrent writers. Every suite here starts with "Pg": CTest
// runs them in the unit.store.postgres process (one server).
#include "store/pg_users.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

#include "pg_test_server.hpp"
#include "store/pg_schema.hpp"
#include "user_directory_conformance.hpp"

namespace gk::store {
namespace {
using test::must;
using test::fresh_database;
using test::PgTestServer;
using test::scalar;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::unique_ptr<PgUsers> open_ok(const std::string& conninfo, std::chrono::milliseconds stale_after = 60s) {
    auto users = PgUsers::open(conninfo, test::pg_test_options(), stale_after);
    EXPECT_TRUE(users->healthy()) << users->last_error();
    return users;
}

// Refreshes until one succeeds (the pool backs off after a failed connect).
bool refresh_within(PgUsers& users, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (users.refresh().ok()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

// The shared suite on PostgreSQL: each fresh() is a new database; sync() is refresh().
class PgUsersBackend final : public test::UserDirectoryBackend {
public:
    [[nodiscard]] std::string name() const override { return "postgres"; }
    std::unique_ptr<UserDatabase> fresh() override {
        const auto db = fresh_database();
        if (db.empty()) return nullptr;
        return open_ok(db);
    }
    void sync(UserDatabase& users) override {
        auto r = static_cast<PgUsers&>(users).refresh();
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
    }
};

using test::UserDirectoryConformance;
PgUsersBackend pg_users_backend;
INSTANTIATE_TEST_SUITE_P(Pg, UserDirectoryConformance, ::testing::Values(&pg_users_backend));

// Two instances on one database: what one writes, the other sees at its
// next refresh, and not before (lookups never go to the network).
TEST(PgUsers, RefreshPicksUpAnotherWritersChanges) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    auto a = open_ok(db);
    auto b = open_ok(db);
    ASSERT_TRUE(a->add_user("alice", "H1", {"admins"}).ok());
    EXPECT_FALSE(must(b->find("alice")).has_value()) << "not before a refresh";
    ASSERT_TRUE(b->refresh().ok());
    auto alice = must(b->find("alice"));
    ASSERT_TRUE(alice.has_value());
    EXPECT_EQ(alice->password_hash, "H1");
    EXPECT_EQ(alice->groups, std::vector<std::string>{"admins"});

    ASSERT_TRUE(a->set_password("alice", "H2", {{"App", "MD5", "ab12"}}).ok());
    ASSERT_TRUE(b->add_user("bob", "HB", {}).ok());
    ASSERT_TRUE(b->refresh().ok());
    ASSERT_TRUE(a->refresh().ok());
    EXPECT_EQ(must(b->find("alice"))->password_hash, "H2");
    EXPECT_EQ(must(b->find("alice"))->digest_secrets.size(), 1u);
    EXPECT_TRUE(must(a->find("bob")).has_value());

    ASSERT_TRUE(a->delete_user("alice").ok());
    ASSERT_TRUE(b->refresh().ok());
    EXPECT_FALSE(must(b->find("alice")).has_value()) << "the tombstone reached b";
    ASSERT_TRUE(b->refresh().ok());
    EXPECT_FALSE(must(b->find("alice")).has_value()) << "and a refresh with nothing new changes nothing";
    EXPECT_EQ(scalar(db, "SELECT password_hash || '|' || deleted FROM users WHERE name = 'alice'"), "|true")
        << "the tombstone keeps no hash";
}

// The server stops: the snapshot keeps serving while refreshes fail, until
// the bound; then lookups are errors (503) and healthy() is false. Back up:
// the next refresh recovers, with the changes made meanwhile.
TEST(PgUsers, ServesTheSnapshotWhileDownThenFailsClosedAndRecovers) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    const auto bound = 1500ms;
    auto users = open_ok(db, bound);
    ASSERT_TRUE(users->add_user("alice", "H1", {}).ok());
    ASSERT_TRUE(users->refresh().ok());

    auto& server = PgTestServer::shared();
    server.stop();
    const auto down_at = Clock::now();
    EXPECT_FALSE(users->refresh().ok());
    EXPECT_FALSE(users->last_error().empty());
    EXPECT_TRUE(must(users->find("alice")).has_value()) << "the last snapshot serves";
    EXPECT_FALSE(must(users->find("bob")).has_value());
    EXPECT_TRUE(users->healthy());
    while (Clock::now() - down_at < bound + 200ms) {
        (void)users->refresh();
        if (Clock::now() - down_at < bound - 300ms) {
            ASSERT_TRUE(users->find("alice").ok()) << "inside the bound";
        }
        std::this_thread::sleep_for(100ms);
    }
    auto late = users->find("alice");
    ASSERT_FALSE(late.ok()) << "past the bound: fail closed";
    EXPECT_NE(late.error().find("not refreshed"), std::string::npos) << late.error();
    EXPECT_FALSE(users->healthy());
    EXPECT_FALSE(users->find_by_digest_userhash("App", "MD5", "x").ok());

    ASSERT_TRUE(server.start()) << server.error();
    auto other = open_ok(db);
    ASSERT_TRUE(other->add_user("bob", "HB", {}).ok());
    ASSERT_TRUE(refresh_within(*users, 5s)) << users->last_error();
    EXPECT_TRUE(users->healthy());
    EXPECT_TRUE(must(users->find("alice")).has_value());
    EXPECT_TRUE(must(users->find("bob")).has_value()) << "what changed meanwhile arrives";
}

// Down at open: the object opens, lookups are errors until a refresh works.
TEST(PgUsers, DownAtOpenOpensThenRecoversByItself) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    auto& server = PgTestServer::shared();
    server.stop();
    auto users = PgUsers::open(db, test::pg_test_options());
    ASSERT_TRUE(users);
    EXPECT_FALSE(users->healthy());
    auto r = users->find("alice");
    ASSERT_FALSE(r.ok()) << "never 'no such user' before the first load";
    EXPECT_NE(r.error().find("not loaded"), std::string::npos) << r.error();
    EXPECT_EQ(users->add_user("alice", "H", {}).error().kind, StoreError::Kind::unavailable);

    ASSERT_TRUE(server.start()) << server.error();
    ASSERT_TRUE(refresh_within(*users, 5s)) << users->last_error();
    EXPECT_TRUE(users->healthy());
    EXPECT_FALSE(must(users->find("alice")).has_value());
    ASSERT_TRUE(users->add_user("alice", "H", {}).ok()) << "the first refresh migrated the schema";
}

// Instances starting together (users and the issuer store) migrate once.
TEST(PgUsers, InstancesStartingTogetherMigrateOnce) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    constexpr int kInstances = 4;
    std::latch start(kInstances);
    std::vector<std::string> errors(kInstances);
    std::vector<std::thread> threads;
    for (int i = 0; i < kInstances; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            auto users = PgUsers::open(db, test::pg_test_options());
            if (!users->healthy()) errors[static_cast<std::size_t>(i)] = users->last_error();
        });
    }
    for (auto& t : threads) t.join();
    for (const auto& e : errors) EXPECT_EQ(e, "");
    EXPECT_EQ(
        scalar(db, "SELECT count(*) || ' ' || max(version) FROM schema_version"),
        std::to_string(pg_issuer_schema().size()) + " " + std::to_string(pg_issuer_schema().back().version));
}

// Writers on several connections while a reader refreshes all the time: the
// table lock makes revs commit in order, so no refresh ever moves past a rev
// it has not seen, and the reader ends with every user.
TEST(PgUsers, ConcurrentWritersNeverHideAChangeFromARefresh) {
    const auto db = fresh_database();
    ASSERT_FALSE(db.empty());
    auto reader = open_ok(db);
    constexpr int kWriters = 4;
    constexpr int kEach = 25;
    std::atomic<bool> done{false};
    std::atomic<int> failed_writes{0};
    std::thread refresher([&] {
        while (!done.load()) (void)reader->refresh();
    });
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            auto mine = PgUsers::open(db, test::pg_test_options());
            for (int i = 0; i < kEach; ++i)
                if (!mine->add_user("u" + std::to_string(w) + "-" + std::to_string(i), "H", {}).ok())
                    ++failed_writes;
        });
    }
    for (auto& t : writers) t.join();
    done.store(true);
    refresher.join();
    EXPECT_EQ(failed_writes.load(), 0);
    // Without the lock, the refresher could have stepped over a late commit;
    // this last refresh only asks for revs above what it saw.
    ASSERT_TRUE(reader->refresh().ok());
    for (int w = 0; w < kWriters; ++w)
        for (int i = 0; i < kEach; ++i) {
            const auto name = "u" + std::to_string(w) + "-" + std::to_string(i);
            EXPECT_TRUE(must(reader->find(name)).has_value()) << name;
        }
}

}  // namespace
}  // namespace gk::store
