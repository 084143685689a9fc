// state: where shared state lives. What loads, the defaults, and each mistake
// reported at its line.
#include <gtest/gtest.h>

#include "gatekeeper/config/config.hpp"
#include "mistakes.hpp"
#include "temp_dir.hpp"

namespace gk::config {
namespace {

using test::TempDir;

constexpr const char* kHead =
    "listeners: [{ address: 127.0.0.1, port: 8080 }]\n"             // 1
    "upstreams: { app: { url: \"http://127.0.0.1:3000\" } }\n"     // 2
    "routes:\n"                                                     // 3
    "  - { name: all, path: /, upstream: app, require: public }\n"  // 4
    "state:\n";                                                     // 5

TEST(StateConfig, WithoutTheSectionEverythingStaysInTheProcess) {
    TempDir dir;
    std::string text = kHead;
    text.resize(text.size() - 7);  // without "state:\n"
    auto r = load_policy_text(text, "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << format(r.error().front());
    EXPECT_FALSE(r->state.redis());
}

TEST(StateConfig, RedisWithDefaults) {
    TempDir dir;
    auto r = load_policy_text(std::string(kHead) + "  redis: { address: 127.0.0.1 }\n", "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << format(r.error().front());
    EXPECT_TRUE(r->state.redis());
    EXPECT_EQ(r->state.redis_host, "127.0.0.1");
    EXPECT_EQ(r->state.redis_port, 6379);
    EXPECT_EQ(r->state.redis_db, 0u);
    EXPECT_EQ(r->state.redis_timeout, std::chrono::milliseconds(250));
    EXPECT_EQ(r->state.redis_prefix, "gk:");
}

TEST(StateConfig, RedisEveryKey) {
    TempDir dir;
    auto r = load_policy_text(std::string(kHead) +
                                  "  redis: { address: redis.internal, port: 6380, db: 3, timeout: 1s, prefix: \"gate-a:\" }\n",
                              "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << format(r.error().front());
    EXPECT_EQ(r->state.redis_host, "redis.internal");
    EXPECT_EQ(r->state.redis_port, 6380);
    EXPECT_EQ(r->state.redis_db, 3u);
    EXPECT_EQ(r->state.redis_timeout, std::chrono::seconds(1));
    EXPECT_EQ(r->state.redis_prefix, "gate-a:");
    EXPECT_TRUE(r->state.redis_password_file.empty()) << "no AUTH unless asked";
}

TEST(StateConfig, RedisAuthNamesAFileRelativeToTheConfig) {
    TempDir dir;
    const auto file = dir.write("redis-password", "pw\n");
    auto r = load_policy_text(std::string(kHead) +
                                  "  redis: { address: 127.0.0.1, username: gatekeeper, password_file: redis-password }\n",
                              "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << format(r.error().front());
    EXPECT_EQ(r->state.redis_username, "gatekeeper");
    EXPECT_EQ(r->state.redis_password_file, file);
}

TEST(StateConfig, Postgres) {
    TempDir dir;
    auto r = load_policy_text(std::string(kHead) +
                                  "  postgres: { conninfo: \"postgresql://gk@db.internal:5433/gate\", pool: 4, timeout: 5s }\n",
                              "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << format(r.error().front());
    EXPECT_EQ(r->state.postgres, "postgresql://gk@db.internal:5433/gate");
    EXPECT_EQ(r->state.postgres_pool, 4u);
    EXPECT_EQ(r->state.postgres_timeout, std::chrono::seconds(5));
    EXPECT_TRUE(r->state.postgres_audit) << "audit events go to the shared database by default";
    EXPECT_FALSE(r->state.redis());
}

TEST(StateConfig, PostgresAuditCanBeTurnedOff) {
    TempDir dir;
    auto r = load_policy_text(std::string(kHead) + "  postgres: { conninfo: \"host=db\", audit: false }\n", "ok.yaml",
                              dir.str());
    ASSERT_TRUE(r.ok()) << format(r.error().front());
    EXPECT_FALSE(r->state.postgres_audit);
}

// Users in the state database: a source kind without a path.
TEST(StateConfig, PostgresUserSource) {
    TempDir dir;
    auto r = load_policy_text(
        "listeners: [{ address: 127.0.0.1, port: 8080 }]\n"
        "users:\n"
        "  staff: { postgres: true }\n"
        "routes:\n"
        "  - { name: all, path: /, schemes: [basic], realm: R, users: staff, require: authenticated }\n"
        "state:\n"
        "  postgres: { conninfo: \"host=127.0.0.1 dbname=gk\" }\n",
        "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << format(r.error().front());
    ASSERT_EQ(r->user_sources.size(), 1u);
    EXPECT_EQ(r->user_sources[0].kind, gate::UserSource::Kind::postgres);
    EXPECT_EQ(r->user_sources[0].path, "");
    EXPECT_EQ(r->user_sources[0].line, 3);
}

TEST(StateConfig, MistakesNameTheirLine) {
    const test::Mistake cases[] = {
        {"  redis: { port: 6379 }\n", 6, "no 'address'"},
        {"  redis: { address: \"redis://127.0.0.1\" }\n", 6, "not a host name"},
        {"  redis: { address: \"127.0.0.1:6379\" }\n", 6, "not a host name"},
        {"  redis: { address: \"a b\" }\n", 6, "not a host name"},
        {"  redis: { address: 127.0.0.1, port: 0 }\n", 6, "port"},
        {"  redis: { address: 127.0.0.1, port: 70000 }\n", 6, "port"},
        {"  redis: { address: 127.0.0.1, db: 16 }\n", 6, "db"},
        {"  redis: { address: 127.0.0.1, timeout: 1ms }\n", 6, "between 10ms and 10s"},
        {"  redis: { address: 127.0.0.1, timeout: 1m }\n", 6, "between 10ms and 10s"},
        {"  redis: { address: 127.0.0.1, pool: 4 }\n", 6, "pool"},
        {"  redis: 127.0.0.1\n", 6, "redis"},
        {"  memcached: {}\n", 6, "memcached"},
        {"  postgres: { pool: 4 }\n", 6, "no 'conninfo'"},
        {"  postgres: { conninfo: \"\" }\n", 6, "empty"},
        {"  postgres: { conninfo: \"host=db password=hunter2\" }\n", 6, "holds a password"},
        {"  postgres: { conninfo: \"host=db PASSWORD=hunter2\" }\n", 6, "holds a password"},
        {"  postgres: { conninfo: \"postgresql://gk:hunter2@db/gatekeeper\" }\n", 6, "holds a password"},
        {"  postgres: { conninfo: \"host=db\", pool: 0 }\n", 6, "pool"},
        {"  postgres: { conninfo: \"host=db\", timeout: 10ms }\n", 6, "between 100ms and 60s"},
        {"  postgres: { conninfo: \"host=db\", audit: sometimes }\n", 6, "audit"},
        {"  redis: { address: 127.0.0.1, password_file: no-such-file }\n", 6, "no-such-file"},
        {"  redis: { address: 127.0.0.1, username: gk }\n", 6, "without 'password_file'"},
    };
    test::expect_first_errors(kHead, cases);
}

}  // namespace
}  // namespace gk::config
