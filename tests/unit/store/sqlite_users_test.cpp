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

TEST(SqliteUsers, AddFindWithGroupsAndEmail) {
    TempDir dir;
    auto db = open_ok(dir / "g.db");
    ASSERT_TRUE(db);
    EXPECT_TRUE(db->healthy());
    ASSERT_TRUE(db->add_user("alice", "H-alice", {"users", "admins", "admins"}, "alice@example.org").ok());
    auto a = must(db->find("alice"));
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->name, "alice");
    EXPECT_EQ(a->password_hash, "H-alice");
    EXPECT_EQ(a->email, "alice@example.org");
    EXPECT_EQ(a->groups, (Groups{"admins", "users"})) << "sorted, duplicates folded";
    EXPECT_FALSE(a->disabled);
    EXPECT_FALSE(must(db->find("bob")).has_value());
    EXPECT_FALSE(must(db->find("ALICE")).has_value());
    EXPECT_FALSE(must(db->find("alice ")).has_value());
    EXPECT_FALSE(must(db->find("' OR 1=1 --")).has_value());
    EXPECT_FALSE(must(db->find("")).has_value());
    EXPECT_TRUE(db->healthy());
}

TEST(SqliteUsers, DigestSecretsAreReplacedWithThePassword) {
    TempDir dir;
    auto db = open_ok(dir / "g.db");
    ASSERT_TRUE(db);
    const std::vector<gate::DigestSecret> first{{"Admin Panel", "SHA-256", "aa11"}, {"Admin Panel", "MD5", "bb22"},
                                                {"App", "MD5", "cc33"}};
    ASSERT_TRUE(db->add_user("alice", "H1", {}, "", first).ok());
    auto a = must(db->find("alice"));
    ASSERT_TRUE(a.has_value());
    ASSERT_EQ(a->digest_secrets.size(), 3u);
    auto has = [](const gate::UserRecord& r, std::string_view realm, std::string_view alg, std::string_view ha1) {
        for (const auto& d : r.digest_secrets)
            if (d.realm == realm && d.algorithm == alg && d.ha1 == ha1) return true;
        return false;
    };
    EXPECT_TRUE(has(*a, "Admin Panel", "SHA-256", "aa11"));
    EXPECT_TRUE(has(*a, "App", "MD5", "cc33"));

    // A new password without Digest secrets must not leave the old ones working.
    ASSERT_TRUE(db->set_password("alice", "H2").ok());
    a = must(db->find("alice"));
    ASSERT_TRUE(a.has_value());
    EXPECT_TRUE(a->digest_secrets.empty());
    ASSERT_TRUE(db->set_password("alice", "H3", {{"App", "SHA-256", "dd44"}}).ok());
    a = must(db->find("alice"));
    ASSERT_EQ(a->digest_secrets.size(), 1u);
    EXPECT_TRUE(has(*a, "App", "SHA-256", "dd44"));
    EXPECT_EQ(a->password_hash, "H3");

    EXPECT_EQ(db->set_password("nobody", "H", {}).error().kind, Kind::not_found);
    EXPECT_EQ(db->add_user("bob", "H", {}, "", {{"", "MD5", "x"}}).error().kind, Kind::invalid);
    EXPECT_EQ(db->add_user("bob", "H", {}, "", {{"R\n", "MD5", "x"}}).error().kind, Kind::invalid);
    EXPECT_FALSE(must(db->find("bob")).has_value()) << "a refused add writes nothing";
    ASSERT_TRUE(db->delete_user("alice").ok());
    ASSERT_TRUE(db->add_user("alice", "H", {}).ok());
    EXPECT_TRUE(must(db->find("alice"))->digest_secrets.empty()) << "secrets went with the deleted user";
}

TEST(SqliteUsers, AddErrors) {
    TempDir dir;
    auto db = open_ok(dir / "g.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->add_user("alice", "H", {}).ok());
    struct Case {
        const char* what;
        Result<Ok, StoreError> r;
        Kind kind;
    };
    Case cases[] = {
        {"duplicate", db->add_user("alice", "H2", {}), Kind::exists},
        {"colon", db->add_user("a:b", "H", {}), Kind::invalid},
        {"empty name", db->add_user("", "H", {}), Kind::invalid},
        {"bad group", db->add_user("bob", "H", {"a,b"}), Kind::invalid},
        {"empty group", db->add_user("bob", "H", {""}), Kind::invalid},
        {"bad email", db->add_user("bob", "H", {}, "nope"), Kind::invalid},
        {"empty hash", db->add_user("bob", "", {}), Kind::invalid},
        {"newline hash", db->add_user("bob", "H\nX", {}), Kind::invalid},
    };
    for (const auto& c : cases) {
        ASSERT_FALSE(c.r.ok()) << c.what;
        EXPECT_EQ(c.r.error().kind, c.kind) << c.what << ": " << c.r.error().message;
    }
    EXPECT_NE(cases[0].r.error().message.find("alice"), std::string::npos);
    EXPECT_EQ(must(db->find("alice"))->password_hash, "H") << "a failed add changes nothing";
    EXPECT_FALSE(must(db->find("bob")).has_value()) << "nothing half-added";
}

TEST(SqliteUsers, PasswordGroupsDisableDelete) {
    TempDir dir;
    auto db = open_ok(dir / "g.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->add_user("alice", "H1", {"admins"}).ok());
    ASSERT_TRUE(db->add_user("bob", "H2", {"admins", "users"}).ok());

    ASSERT_TRUE(db->set_password("alice", "H1b").ok());
    EXPECT_EQ(must(db->find("alice"))->password_hash, "H1b");
    EXPECT_EQ(must(db->find("bob"))->password_hash, "H2") << "only alice changed";

    ASSERT_TRUE(db->set_groups("alice", {"ops"}).ok());
    EXPECT_EQ(must(db->find("alice"))->groups, Groups{"ops"});
    ASSERT_TRUE(db->set_groups("alice", {}).ok());
    EXPECT_TRUE(must(db->find("alice"))->groups.empty());
    EXPECT_EQ(must(db->find("bob"))->groups, (Groups{"admins", "users"}));

    ASSERT_TRUE(db->set_disabled("bob", true).ok());
    EXPECT_TRUE(must(db->find("bob"))->disabled);
    ASSERT_TRUE(db->set_disabled("bob", false).ok());
    EXPECT_FALSE(must(db->find("bob"))->disabled);

    ASSERT_TRUE(db->delete_user("bob").ok());
    EXPECT_FALSE(must(db->find("bob")).has_value());
    // Re-adding the name starts clean: the cascade removed the old memberships.
    ASSERT_TRUE(db->add_user("bob", "H3", {}).ok());
    EXPECT_TRUE(must(db->find("bob"))->groups.empty());

    for (auto r : {db->set_password("nobody", "H"), db->set_groups("nobody", {"g"}), db->delete_user("nobody"),
                   db->set_disabled("nobody", true)}) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().kind, Kind::not_found);
        EXPECT_NE(r.error().message.find("nobody"), std::string::npos);
    }
    EXPECT_EQ(db->set_groups("alice", {"bad\ngroup"}).error().kind, Kind::invalid);
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

TEST(SqliteUsers, ListIsSortedAndComplete) {
    TempDir dir;
    auto db = open_ok(dir / "g.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->add_user("carol", "H", {}).ok());
    ASSERT_TRUE(db->add_user("alice", "H", {"z", "a"}, "a@x.y").ok());
    ASSERT_TRUE(db->add_user("bob", "H", {"a"}).ok());
    auto list = db->list_users();
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 3u);
    EXPECT_EQ((*list)[0].name, "alice");
    EXPECT_EQ((*list)[0].groups, (Groups{"a", "z"}));
    EXPECT_EQ((*list)[0].email, "a@x.y");
    EXPECT_EQ((*list)[1].name, "bob");
    EXPECT_EQ((*list)[2].name, "carol");
    EXPECT_TRUE((*list)[2].groups.empty());
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
    std::unique_ptr<test::UserDb> fresh() override {
        dirs_.push_back(std::make_unique<TempDir>());
        auto db = open_ok(*dirs_.back() / "users.db");
        if (!db) return nullptr;
        return std::make_unique<test::UserDbOf<SqliteUsers>>(std::move(db), nullptr);
    }

private:
    std::vector<std::unique_ptr<TempDir>> dirs_;  // removed at exit
};

using test::UserDirectoryConformance;
SqliteUsersBackend sqlite_users_backend;
INSTANTIATE_TEST_SUITE_P(Sqlite, UserDirectoryConformance, ::testing::Values(&sqlite_users_backend));

}  // namespace
}  // namespace gk::store
