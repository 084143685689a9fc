// Audit events into PostgreSQL (store/pg_audit.hpp) against a real server
// (pg_test_server.hpp, started once for every "Pg*" suite of this binary):
// events arrive with their fields, a down database queues them and delivers
// after it is back, the queue is bounded, and stopping flushes.
#include "store/pg_audit.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "pg_test_server.hpp"

namespace gk::store {
namespace {
using test::PgTestServer;
using namespace std::chrono_literals;

std::string event(const std::string& name, const std::string& user) {
    return R"({"time":"2026-11-30T01:02:03.456Z","event":")" + name + R"(","user":")" + user + R"("})";
}

TEST(PgAuditWriter, EventsArriveWithTheirFieldsAndInstance) {
    const auto db = test::fresh_database();
    ASSERT_FALSE(db.empty());
    PgAuditWriter w(db, test::pg_test_options(), "host-a:8080 pid 1", {});
    w.record(event("auth.failure", "alice"));
    w.record(event("auth.locked", "bob \\\"the builder\\\""));  // escaped, as AuditLog writes it
    ASSERT_TRUE(w.flushed(5s));
    EXPECT_EQ(test::scalar(db, "SELECT count(*) FROM audit_events"), "2");
    EXPECT_EQ(
        test::scalar(db, "SELECT string_agg(event || '/' || (detail->>'user'), ',' ORDER BY id) FROM audit_events"),
        "auth.failure/alice,auth.locked/bob \"the builder\"");
    EXPECT_EQ(test::scalar(db, "SELECT DISTINCT instance FROM audit_events"), "host-a:8080 pid 1");
    EXPECT_EQ(
        test::scalar(db,
               "SELECT to_char(min(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') FROM audit_events"),
        "2026-11-30 01:02:03.456");
    EXPECT_EQ(w.dropped(), 0u);
}

TEST(PgAuditWriter, ADownDatabaseQueuesThenDeliversInOrder) {
    const auto db = test::fresh_database();
    ASSERT_FALSE(db.empty());
    auto& server = PgTestServer::shared();
    PgAuditWriter::Options o;
    o.retry_after = 100ms;
    PgAuditWriter w(db, test::pg_test_options(), "b", o);
    w.record(event("e.first", "u0"));
    ASSERT_TRUE(w.flushed(5s));
    server.stop();
    for (int i = 1; i <= 5; ++i) w.record(event("e.while_down", "u" + std::to_string(i)));
    EXPECT_FALSE(w.flushed(300ms)) << "nothing can be written while the server is down";
    ASSERT_TRUE(server.start()) << server.error();
    EXPECT_TRUE(w.flushed(15s)) << "delivered once the server is back, without a restart";
    EXPECT_EQ(test::scalar(db, "SELECT string_agg(detail->>'user', ',' ORDER BY id) FROM audit_events"),
              "u0,u1,u2,u3,u4,u5");
    EXPECT_EQ(w.dropped(), 0u);
}

TEST(PgAuditWriter, TheQueueIsBoundedAndDropsAreCounted) {
    PgAuditWriter::Options o;
    o.max_queued = 3;
    o.retry_after = 50ms;
    // Nobody listens on this socket folder: every insert fails.
    PgAuditWriter w("host=/nonexistent-gk-dir port=1 user=x dbname=x", test::pg_test_options(), "c", o);
    for (int i = 0; i < 10; ++i) w.record(event("e", std::to_string(i)));
    // One may be in flight when the rest arrive; the queue keeps at most 3 besides it.
    EXPECT_GE(w.dropped(), 6u);
    EXPECT_LE(w.dropped(), 10u);
}

TEST(PgAuditWriter, ABatchTheServerRefusesIsDroppedNotRetriedForever) {
    const auto db = test::fresh_database();
    ASSERT_FALSE(db.empty());
    PgAuditWriter w(db, test::pg_test_options(), "e", {});
    w.record(R"({"time":"2026-11-30T01:02:03Z","event":"e.broken","user":"unterminated)");
    ASSERT_TRUE(w.flushed(5s));
    EXPECT_EQ(w.dropped(), 1u);
    w.record(event("e.after", "x"));
    ASSERT_TRUE(w.flushed(5s)) << "later events are not held back";
    EXPECT_EQ(test::scalar(db, "SELECT string_agg(event, ',') FROM audit_events"), "e.after");
}

TEST(PgAuditWriter, StoppingWritesWhatIsQueued) {
    const auto db = test::fresh_database();
    ASSERT_FALSE(db.empty());
    {
        PgAuditWriter w(db, test::pg_test_options(), "d", {});
        for (int i = 0; i < 50; ++i) w.record(event("e.burst", std::to_string(i)));
    }
    EXPECT_EQ(test::scalar(db, "SELECT count(*) FROM audit_events"), "50");
}

}  // namespace
}  // namespace gk::store
