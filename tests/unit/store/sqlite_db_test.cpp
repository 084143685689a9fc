#include "store/sqlite_db.hpp"

#include <gtest/gtest.h>

#include <array>

#include "store/schema.hpp"
#include "test_util.hpp"

namespace gk::store {
namespace {
using test::TempDir;

constexpr std::array kTwo{
    Migration{1, "CREATE TABLE t(x INTEGER);"},
    Migration{2, "ALTER TABLE t ADD COLUMN y TEXT; INSERT INTO t(x, y) VALUES(1, 'a');"},
};

int count_rows(SqliteDb& db, const char* sql) {
    auto st = db.prepare(sql);
    EXPECT_TRUE(st.ok());
    auto row = st->step();
    EXPECT_TRUE(row.ok() && row.value());
    return static_cast<int>(st->column_int(0));
}

std::string pragma(SqliteDb& db, const char* sql) {
    auto st = db.prepare(sql);
    EXPECT_TRUE(st.ok());
    auto row = st->step();
    EXPECT_TRUE(row.ok() && row.value());
    return st->column_text(0);
}

TEST(SqliteDb, OpenSetsPragmasAndPrivateMode) {
    TempDir dir;
    auto db = SqliteDb::open(dir / "g.db", gatekeeper_schema());
    ASSERT_TRUE(db.ok()) << db.error();
    EXPECT_EQ(pragma(*db, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(pragma(*db, "PRAGMA foreign_keys"), "1");
    EXPECT_EQ(pragma(*db, "PRAGMA busy_timeout"), "5000");
    EXPECT_EQ(pragma(*db, "PRAGMA synchronous"), "2") << "FULL";
    EXPECT_EQ(test::mode_of(dir / "g.db"), 0600u);
    EXPECT_EQ(db->schema_version(), static_cast<int>(gatekeeper_schema().size()));
}

TEST(SqliteDb, MigrationsApplyOnceAndInOrder) {
    TempDir dir;
    {
        auto db = SqliteDb::open(dir / "m.db", std::span(kTwo).first(1));
        ASSERT_TRUE(db.ok()) << db.error();
        EXPECT_EQ(db->schema_version(), 1);
    }
    for (int round = 0; round < 2; ++round) {  // upgrade, then reopen: nothing re-applied
        auto db = SqliteDb::open(dir / "m.db", kTwo);
        ASSERT_TRUE(db.ok()) << db.error();
        EXPECT_EQ(db->schema_version(), 2);
        EXPECT_EQ(count_rows(*db, "SELECT COUNT(*) FROM t"), 1) << "migration 2 ran exactly once";
        EXPECT_EQ(count_rows(*db, "SELECT COUNT(*) FROM schema_migrations"), 2);
    }
}

TEST(SqliteDb, FailedMigrationRollsBackWholly) {
    TempDir dir;
    constexpr std::array bad{
        Migration{1, "CREATE TABLE t(x INTEGER);"},
        Migration{2, "CREATE TABLE u(x INTEGER); THIS IS NOT SQL;"},
    };
    auto db = SqliteDb::open(dir / "b.db", bad);
    ASSERT_FALSE(db.ok());
    EXPECT_NE(db.error().find("migration 2"), std::string::npos) << db.error();
    auto again = SqliteDb::open(dir / "b.db", std::span(bad).first(1));
    ASSERT_TRUE(again.ok()) << again.error();
    EXPECT_EQ(again->schema_version(), 1);
    EXPECT_EQ(count_rows(*again, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'u'"), 0)
        << "half of migration 2 must not stay";
}

TEST(SqliteDb, RefusesNewerSchema) {
    TempDir dir;
    ASSERT_TRUE(SqliteDb::open(dir / "n.db", kTwo).ok());
    auto old = SqliteDb::open(dir / "n.db", std::span(kTwo).first(1));
    ASSERT_FALSE(old.ok());
    EXPECT_NE(old.error().find("newer"), std::string::npos) << old.error();
}

TEST(SqliteDb, OpenFailuresNameThePath) {
    TempDir dir;
    auto missing = SqliteDb::open(dir / "no-dir" / "g.db", gatekeeper_schema());
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().find((dir / "no-dir" / "g.db").string()), std::string::npos) << missing.error();
    test::write_text(dir / "junk.db", std::string(4096, 'j'));
    auto junk = SqliteDb::open(dir / "junk.db", gatekeeper_schema());
    ASSERT_FALSE(junk.ok());
    EXPECT_NE(junk.error().find((dir / "junk.db").string()), std::string::npos) << junk.error();
}

TEST(SqliteDb, TransactionRollsBackUnlessCommitted) {
    TempDir dir;
    auto db = SqliteDb::open(dir / "t.db", std::span(kTwo).first(1));
    ASSERT_TRUE(db.ok());
    {
        auto tx = Transaction::begin(*db);
        ASSERT_TRUE(tx.ok());
        ASSERT_TRUE(db->exec("INSERT INTO t(x) VALUES(1)").ok());
    }
    EXPECT_EQ(count_rows(*db, "SELECT COUNT(*) FROM t"), 0);
    {
        auto tx = Transaction::begin(*db);
        ASSERT_TRUE(tx.ok());
        ASSERT_TRUE(db->exec("INSERT INTO t(x) VALUES(1)").ok());
        ASSERT_TRUE(tx->commit().ok());
    }
    EXPECT_EQ(count_rows(*db, "SELECT COUNT(*) FROM t"), 1);
}

TEST(SqliteDb, StatementBindsAndReadsNastyText) {
    TempDir dir;
    auto db = SqliteDb::open(dir / "s.db", kTwo);
    ASSERT_TRUE(db.ok());
    const std::string nasty("it's \"q\" -- ; DROP TABLE t; \0 tail", 33);
    auto ins = db->prepare("INSERT INTO t(x, y) VALUES(?1, ?2)");
    ASSERT_TRUE(ins.ok());
    ASSERT_TRUE(ins->bind(1, std::int64_t{-7}).bind(2, nasty).run().ok());
    auto sel = db->prepare("SELECT x, y FROM t WHERE x = -7");
    ASSERT_TRUE(sel.ok());
    auto row = sel->step();
    ASSERT_TRUE(row.ok() && row.value());
    EXPECT_EQ(sel->column_int(0), -7);
    EXPECT_EQ(sel->column_text(1), nasty) << "bound, never spliced; embedded NUL kept";
    EXPECT_FALSE(db->prepare("SELEC nonsense").ok());
}

TEST(SqliteDb, DefaultStringViewBindsEmptyTextNotNull) {
    TempDir dir;
    auto db = SqliteDb::open(dir / "e.db", kTwo);
    ASSERT_TRUE(db.ok());
    auto ins = db->prepare("INSERT INTO t(x, y) VALUES(5, ?1)");
    ASSERT_TRUE(ins.ok());
    ASSERT_TRUE(ins->bind(1, std::string_view{}).run().ok());
    EXPECT_EQ(count_rows(*db, "SELECT COUNT(*) FROM t WHERE x = 5 AND y = ''"), 1);
}

}  // namespace
}  // namespace gk::store
