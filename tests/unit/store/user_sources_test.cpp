#include "store/user_sources.hpp"

#include <gtest/gtest.h>

#include "store/sqlite_users.hpp"
#include "test_util.hpp"

namespace gk::store {
namespace {
using test::must;
using test::TempDir;
using SrcKind = gate::UserSource::Kind;

gate::Policy policy_with(std::string source_file, std::string state_dir, std::vector<gate::UserSource> sources) {
    gate::Policy p;
    p.source_file = std::move(source_file);
    p.state_dir = std::move(state_dir);
    p.user_sources = std::move(sources);
    return p;
}

TEST(UserSources, PicksFirstOrNamed) {
    auto p = policy_with("/c/gk.yaml", "", {{"file", SrcKind::htpasswd, "/c/users", 3}, {"db", SrcKind::sqlite, "/c/state/g.db", 4}});
    auto first = source_from_policy(p);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->kind, UserSourceRef::Kind::htpasswd);
    EXPECT_EQ(first->path, "/c/users");
    auto named = source_from_policy(p, "db");
    ASSERT_TRUE(named.ok());
    EXPECT_EQ(named->kind, UserSourceRef::Kind::sqlite);
    EXPECT_EQ(named->path, "/c/state/g.db") << "config/ resolved it already; taken as is";
    auto unknown = source_from_policy(p, "nope");
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().find("nope"), std::string::npos);
    EXPECT_FALSE(source_from_policy(policy_with("/c/gk.yaml", "", {})).ok());
}

// A postgres source is the state database: its ref carries the conninfo and
// the bounds of state.postgres; down at open, it opens unhealthy with a
// refresh hook (the server's tick) and lookups fail closed.
TEST(UserSources, PostgresSourceUsesTheStateDatabase) {
    auto p = policy_with("/c/gk.yaml", "", {{"staff", SrcKind::postgres, "", 3}});
    // Port 1 on loopback: nothing listens, the connect is refused at once.
    p.state.postgres = "host=127.0.0.1 port=1 dbname=gk connect_timeout=2";
    p.state.postgres_timeout = std::chrono::milliseconds(700);
    auto ref = source_from_policy(p, "staff");
    ASSERT_TRUE(ref.ok()) << ref.error();
    EXPECT_EQ(ref->kind, UserSourceRef::Kind::postgres);
    EXPECT_EQ(ref->conninfo, p.state.postgres);
    EXPECT_EQ(ref->pg.statement_timeout, std::chrono::milliseconds(700));
    EXPECT_EQ(ref->pg.pool_wait, std::chrono::milliseconds(700));
    EXPECT_NE(describe(*ref).find("PostgreSQL"), std::string::npos);

    auto opened = open_user_directory(*ref);
    ASSERT_TRUE(opened.ok()) << "a database that is down does not stop the start";
    ASSERT_TRUE(opened->refresh);
    EXPECT_FALSE(opened->directory->healthy());
    EXPECT_FALSE(opened->directory->find("alice").ok()) << "503, never 'no such user'";
    EXPECT_FALSE(opened->refresh().ok());
}

TEST(UserSources, OpenHtpasswdRefreshesAndOpenSqlite) {
    TempDir dir;
    test::write_text(dir / "users", "alice:" + test::kSha512Secret + "\n");
    auto opened = open_user_directory({UserSourceRef::Kind::htpasswd, dir / "users", {}});
    ASSERT_TRUE(opened.ok());
    ASSERT_TRUE(opened->refresh);
    EXPECT_TRUE(must(opened->directory->find("alice")).has_value());
    test::write_text(dir / "users.new", "bob:" + test::kSha512Secret + "\n");
    std::filesystem::rename(dir / "users.new", dir / "users");
    ASSERT_TRUE(opened->refresh().ok());
    EXPECT_TRUE(must(opened->directory->find("bob")).has_value());
    test::write_text(dir / "users.new", "garbage\n");
    std::filesystem::rename(dir / "users.new", dir / "users");
    auto bad = opened->refresh();
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().find("line 1"), std::string::npos) << bad.error();
    EXPECT_TRUE(must(opened->directory->find("bob")).has_value());

    auto broken = open_user_directory({UserSourceRef::Kind::htpasswd, dir / "absent", {}});
    ASSERT_TRUE(broken.ok()) << "opens, but unhealthy: routes fail closed";
    EXPECT_FALSE(broken->directory->healthy());

    auto db = open_user_directory({UserSourceRef::Kind::sqlite, dir / "g.db", {}});
    ASSERT_TRUE(db.ok()) << db.error();
    EXPECT_FALSE(db->refresh);
    EXPECT_TRUE(db->directory->healthy());
    EXPECT_FALSE(open_user_directory({UserSourceRef::Kind::sqlite, dir / "no" / "g.db", {}}).ok());
}

}  // namespace
}  // namespace gk::store
