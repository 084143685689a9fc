// One conformance suite for the brute-force counter stores: the in-memory
// default and Redis (a real redis-server, started here on a free loopback
// port with nothing saved, stopped by PID). Both must count, window, cap and
// forget alike, so the gate decides the same on one instance or many.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>

#include "redis_test_server.hpp"
#include "server/redis_attempts.hpp"
#include "store/memory_attempt_store.hpp"

namespace gk::server {
namespace {

struct Backend {
    std::string name;
    std::function<std::shared_ptr<gate::AttemptStore>()> make;
};

void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

class AttemptStoreConformance : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        store_ = GetParam().make();
        ASSERT_TRUE(store_) << "the " << GetParam().name << " store could not be made";
        // Keys unique per run: a shared Redis keeps what earlier cases wrote.
        key_ = "u:conformance-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    }
    gate::AttemptStore& store() { return *store_; }
    std::shared_ptr<gate::AttemptStore> store_;
    std::string key_;
};

TEST_P(AttemptStoreConformance, AnUnknownKeyHasNoFailures) {
    auto s = store().summary(key_, 0);
    ASSERT_TRUE(s.ok()) << s.error();
    EXPECT_EQ(s->failures, 0u);
}

TEST_P(AttemptStoreConformance, CountsWhatIsInsideTheWindowAndKnowsTheNewest) {
    for (std::int64_t at : {1'000, 2'000, 5'000, 9'000}) ASSERT_TRUE(store().add_failure(key_, at, 7, 0).ok());
    auto all = store().summary(key_, 0);
    ASSERT_TRUE(all.ok()) << all.error();
    EXPECT_EQ(all->failures, 4u);
    EXPECT_EQ(all->newest_ms, 9'000);
    auto recent = store().summary(key_, 2'000);  // since is inclusive
    ASSERT_TRUE(recent.ok());
    EXPECT_EQ(recent->failures, 3u);
    auto none = store().summary(key_, 9'001);
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->failures, 0u);
}

TEST_P(AttemptStoreConformance, TwoFailuresInOneMillisecondAreTwo) {
    ASSERT_TRUE(store().add_failure(key_, 4'000, 7, 0).ok());
    ASSERT_TRUE(store().add_failure(key_, 4'000, 7, 0).ok());
    auto s = store().summary(key_, 0);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->failures, 2u);
}

TEST_P(AttemptStoreConformance, ForgetDropsOnlyThatSourcesFailures) {
    ASSERT_TRUE(store().add_failure(key_, 1'000, 7, 0).ok());
    ASSERT_TRUE(store().add_failure(key_, 2'000, 8, 0).ok());
    ASSERT_TRUE(store().add_failure(key_, 3'000, 7, 0).ok());
    ASSERT_TRUE(store().forget(key_, 7).ok());
    auto s = store().summary(key_, 0);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->failures, 1u);
    EXPECT_EQ(s->newest_ms, 2'000);
    ASSERT_TRUE(store().forget(key_, 99).ok()) << "forgetting a source that never failed is fine";
    ASSERT_TRUE(store().forget("u:never-seen-" + key_, 7).ok());
}

TEST_P(AttemptStoreConformance, KeysAreIndependent) {
    ASSERT_TRUE(store().add_failure(key_ + "-a", 1'000, 7, 0).ok());
    auto other = store().summary(key_ + "-b", 0);
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(other->failures, 0u);
}

TEST_P(AttemptStoreConformance, OldFailuresAreDroppedWhenAdding) {
    ASSERT_TRUE(store().add_failure(key_, 1'000, 7, 0).ok());
    ASSERT_TRUE(store().add_failure(key_, 50'000, 7, 40'000).ok());  // window starts at 40 s: the first is gone
    auto s = store().summary(key_, 0);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->failures, 1u);
}

TEST_P(AttemptStoreConformance, AtMostKMaxKeptFailuresAreKeptPerKey) {
    const auto cap = store::MemoryAttemptStore::kMaxKept;
    for (std::size_t i = 0; i < cap + 20; ++i)
        ASSERT_TRUE(store().add_failure(key_, 1'000 + static_cast<std::int64_t>(i), 7, 0).ok());
    auto s = store().summary(key_, 0);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->failures, cap);
    EXPECT_EQ(s->newest_ms, 1'000 + static_cast<std::int64_t>(cap + 19)) << "the newest are the ones kept";
}

TEST_P(AttemptStoreConformance, TheGateLocksAfterTheLimit) {
    gate::AttemptLimits limits;
    limits.per_address = 0;
    limits.per_user = 3;
    const auto now = std::chrono::system_clock::now();
    const std::string user = key_.substr(2);
    for (int i = 0; i < 3; ++i) gate::record_failure(&store(), limits, {"192.0.2.9", user}, now);
    auto g = gate::check_attempt(&store(), limits, {"192.0.2.10", user}, now);
    EXPECT_EQ(g.kind, gate::AttemptGate::Kind::locked);
}

INSTANTIATE_TEST_SUITE_P(
    Stores, AttemptStoreConformance,
    ::testing::Values(Backend{"memory", [] { return std::make_shared<store::MemoryAttemptStore>(); }},
                      Backend{"redis",
                              []() -> std::shared_ptr<gate::AttemptStore> {
                                  if (!testing::RedisServer::get().up()) return nullptr;
                                  auto s = testing::redis_settings();
                                  s.redis_prefix = "gk-conformance:";
                                  return std::make_shared<RedisAttemptStore>(std::make_shared<RedisClient>(s),
                                                                             s.redis_prefix);
                              }}),
    [](const ::testing::TestParamInfo<Backend>& i) { return i.param.name; });

TEST(RedisAttemptStoreFaults, NoServerIsAnErrorWithinTheTimeout) {
    gate::SharedState s;
    s.redis_host = "127.0.0.1";
    s.redis_port = static_cast<std::uint16_t>(gk::testing::free_port());  // nobody listens
    s.redis_timeout = std::chrono::milliseconds(200);
    RedisAttemptStore store(std::make_shared<RedisClient>(s), "gk:");
    const auto t0 = std::chrono::steady_clock::now();
    auto r = store.summary("u:x", 0);
    EXPECT_FALSE(r.ok());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    EXPECT_FALSE(store.add_failure("u:x", 1, 1, 0).ok());
    auto g = gate::check_attempt(&store, gate::AttemptLimits{}, {"192.0.2.1", "x"}, std::chrono::system_clock::now());
    EXPECT_EQ(g.kind, gate::AttemptGate::Kind::unavailable) << "fail closed";
}

// state.redis.password_file: every connection authenticates first.
class RedisAuth : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(testing::RedisServer::with_password().up());
        dir_ = std::filesystem::temp_directory_path() / ("gk-redis-auth-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    gate::SharedState settings(const std::string& password) {
        auto s = testing::redis_settings();
        s.redis_port = static_cast<std::uint16_t>(testing::RedisServer::with_password().port());
        s.redis_timeout = std::chrono::milliseconds(500);
        const auto file = dir_ / "redis-password";
        std::ofstream(file) << password << "\n";
        s.redis_password_file = file.string();
        return s;
    }
    static Result<gate::AttemptSummary, std::string> ask(const gate::SharedState& s) {
        RedisAttemptStore store(std::make_shared<RedisClient>(s), "gk-auth:");
        return store.summary("u:auth", 0);
    }
    std::filesystem::path dir_;
};

TEST_F(RedisAuth, TheRightPasswordFromTheFileIsUsed) {
    auto r = ask(settings(testing::RedisServer::kPassword));
    EXPECT_TRUE(r.ok()) << r.error();
}

TEST_F(RedisAuth, AWrongPasswordIsAnErrorThatDoesNotNameIt) {
    auto r = ask(settings("not-the-password"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("AUTH"), std::string::npos) << r.error();
    EXPECT_EQ(r.error().find("not-the-password"), std::string::npos) << r.error();
}

TEST_F(RedisAuth, NoPasswordIsRefusedByTheServer) {
    auto s = settings("unused");
    s.redis_password_file.clear();
    auto r = ask(s);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("NOAUTH"), std::string::npos) << r.error();
}

TEST_F(RedisAuth, AMissingOrEmptyFileIsAnError) {
    auto s = settings("x");
    std::ofstream(s.redis_password_file, std::ios::trunc) << "\n";
    auto empty = ask(s);
    ASSERT_FALSE(empty.ok());
    EXPECT_NE(empty.error().find("empty"), std::string::npos) << empty.error();
    std::filesystem::remove(s.redis_password_file);
    EXPECT_FALSE(ask(s).ok());
}

TEST_F(RedisAuth, TheFileIsReadAtEachConnectSoItCanBeRotated) {
    auto s = settings("wrong-at-first");
    EXPECT_FALSE(ask(s).ok());
    std::ofstream(s.redis_password_file, std::ios::trunc) << testing::RedisServer::kPassword << "\n";
    auto r = ask(s);  // a new client: a new connection
    EXPECT_TRUE(r.ok()) << r.error();
}

}  // namespace
}  // namespace gk::server
