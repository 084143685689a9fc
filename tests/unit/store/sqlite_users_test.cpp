#include "store/sqlite_users.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "store/schema.hpp"
#include "test_util.hpp"
#include "user_directory_conformance.hpp"

namespace gk::store {
namespace {
using test::must;
using test::TempDir;
using Kind = StoreError::Kind;
using Groups = std::vector<std::string>;

std::unique_ptr<SqliteUsers> open_ok(const std::filesystem::path& p) {
    auto r = SqliteUsers::open(p);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r).value() : nullptr;
}

TEST(SqliteUsers, CascadeLeavesNoOrphanMemberships) {
    TempDir dir;
    auto db = open_ok(dir / "g.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->add_user("alice", "H", {"a", "b"}).ok());
    ASSERT_TRUE(db->add_user("bob", "H", {"b"}).ok());
    ASSERT_TRUE(db->delete_user("alice").ok());
    auto raw = SqliteDb::open(dir / "g.db", gatekeeper_schema());
    ASSERT_TRUE(raw.ok()) << raw.error();
    auto st = raw->prepare("SELECT COUNT(*) FROM user_groups");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(st->step().ok());
    EXPECT_EQ(st->column_int(0), 1) << "only bob's membership is left";
}

TEST(SqliteUsers, ReopenSeesDataAndMigrationsAreIdempotent) {
    TempDir dir;
    {
        auto db = open_ok(dir / "g.db");
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->add_user("alice", "H", {"admins"}).ok());
    }
    for (int i = 0; i < 3; ++i) {
        auto db = open_ok(dir / "g.db");
        ASSERT_TRUE(db);
        auto a = must(db->find("alice"));
        ASSERT_TRUE(a.has_value());
        EXPECT_EQ(a->groups, Groups{"admins"});
    }
}

TEST(SqliteUsers, WritesFromAnotherConnectionAreSeen) {
    // The CLI writes through its own connection while the server keeps one open.
    TempDir dir;
    auto server = open_ok(dir / "g.db");
    auto cli = open_ok(dir / "g.db");
    ASSERT_TRUE(server && cli);
    ASSERT_TRUE(cli->add_user("alice", "H", {}).ok());
    EXPECT_TRUE(must(server->find("alice")).has_value());
    ASSERT_TRUE(cli->delete_user("alice").ok());
    EXPECT_FALSE(must(server->find("alice")).has_value());
}

TEST(SqliteUsers, ConcurrentFindsAndWrites) {
    TempDir dir;
    auto db = open_ok(dir / "g.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->add_user("alice", "H", {"admins"}).ok());
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t)
        readers.emplace_back([&] {
            while (!stop.load()) {
                auto a = must(db->find("alice"));
                if (!a || a->groups != Groups{"admins"}) bad.fetch_add(1);
            }
        });
    for (int i = 0; i < 30; ++i) {
        auto name = "u" + std::to_string(i);
        if (!db->add_user(name, "H", {"g"}).ok() || !db->delete_user(name).ok()) bad.fetch_add(1);
    }
    stop = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_TRUE(db->healthy());
}

// The attack suite's reproducer: the database, its -wal and -shm overwritten
// in place with garbage, then the original bytes written back.
class BrokenDatabase {
public:
    explicit BrokenDatabase(std::filesystem::path db) : db_(std::move(db)) {
        for (const auto& p : files())
            saved_.push_back(std::filesystem::exists(p) ? test::read_text(p) : std::string());
    }
    void garble() const {
        for (const auto& p : files()) write_in_place(p, std::string(8192, '\x5a'));
    }
    void restore() const {
        for (std::size_t i = 0; i < files().size(); ++i) write_in_place(files()[i], saved_[i]);
    }

private:
    std::vector<std::filesystem::path> files() const {
        return {db_, db_.string() + "-wal", db_.string() + "-shm"};
    }
    static void write_in_place(const std::filesystem::path& p, const std::string& bytes) {
        std::ofstream out(p,
                          std::ios::binary | std::ios::in | std::ios::out | std::ios::trunc);  // same inode
        out << bytes;
    }
    std::filesystem::path db_;
    std::vector<std::string> saved_;
};

// Regression: a store error is an error lookup (503), never "no such user"
// (401), and the source recovers by itself once the file is readable again.
TEST(SqliteUsers, BrokenDatabaseIsAnErrorAndRecoversWithoutRestart) {
    TempDir dir;
    auto r = SqliteUsers::open(dir / "g.db", std::chrono::milliseconds(0));
    ASSERT_TRUE(r.ok());
    auto db = std::move(r).value();
    ASSERT_TRUE(db->add_user("alice", "H", {"admins"}).ok());
    ASSERT_TRUE(must(db->find("alice")).has_value());
    const BrokenDatabase files(dir / "g.db");

    files.garble();
    auto broken = db->find("alice");
    EXPECT_FALSE(broken.ok()) << "a broken database answered \"no such user\"";
    EXPECT_FALSE(db->find("alice").ok());
    EXPECT_FALSE(db->find_by_digest_userhash("App", "MD5", "x").ok());
    EXPECT_FALSE(db->healthy());

    files.restore();
    auto back = db->find("alice");
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_TRUE(back.value().has_value());
    EXPECT_TRUE(db->healthy());
}

TEST(SqliteUsers, ReopenWaitsForTheBackOff) {
    TempDir dir;
    auto r = SqliteUsers::open(dir / "g.db", std::chrono::hours(1));
    ASSERT_TRUE(r.ok());
    auto db = std::move(r).value();
    ASSERT_TRUE(db->add_user("alice", "H", {}).ok());
    const BrokenDatabase files(dir / "g.db");
    files.garble();
    EXPECT_FALSE(db->find("alice").ok());
    files.restore();
    EXPECT_FALSE(db->find("alice").ok()) << "reopened before the back-off ran out";
}

TEST(SqliteUsers, DeletedDatabaseIsNotRecreatedEmpty) {
    TempDir dir;
    auto r = SqliteUsers::open(dir / "g.db", std::chrono::milliseconds(0));
    ASSERT_TRUE(r.ok());
    auto db = std::move(r).value();
    ASSERT_TRUE(db->add_user("alice", "H", {}).ok());
    BrokenDatabase(dir / "g.db").garble();
    EXPECT_FALSE(db->find("alice").ok());
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(dir / (std::string("g.db") + suffix));
    EXPECT_FALSE(db->find("alice").ok()) << "an empty database would answer \"no such user\"";
    EXPECT_FALSE(std::filesystem::exists(dir / "g.db"));
}

TEST(SqliteUsers, OpenErrorsAreUnavailable) {
    TempDir dir;
    auto r = SqliteUsers::open(dir / "missing-dir" / "g.db");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, Kind::unavailable);
}

// The shared user-directory suite on SQLite: each fresh() is a new file.
class SqliteUsersBackend final : public test::UserDirectoryBackend {
public:
    [[nodiscard]] std::string name() const override { return "sqlite"; }
    std::unique_ptr<UserDatabase> fresh() override {
        dirs_.push_back(std::make_unique<TempDir>());
        return open_ok(*dirs_.back() / "users.db");
    }

private:
    std::vector<std::unique_ptr<TempDir>> dirs_;  // removed at exit
};

using test::UserDirectoryConformance;
SqliteUsersBackend sqlite_users_backend;
INSTANTIATE_TEST_SUITE_P(Sqlite, UserDirectoryConformance, ::testing::Values(&sqlite_users_backend));

}  // namespace
}  // namespace gk::store
