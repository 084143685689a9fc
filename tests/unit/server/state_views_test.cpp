// The views that let the pure gate decide on state held by other servers:
// what the gate asks for is recorded (and refused, so a decision without the
// fetch fails closed), answers are served back, changes wait for the last run.
// Also the Redis commands for the brute-force counters and how their replies
// are read.
#include <gtest/gtest.h>

#include "server/attempt_view.hpp"
#include "server/credential_view.hpp"
#include "server/redis_attempts.hpp"

namespace gk::server {
namespace {

using Type = store::RedisReply::Type;

store::RedisReply integer(long long v) {
    store::RedisReply r;
    r.type = Type::integer;
    r.integer = v;
    return r;
}

store::RedisReply array(std::vector<std::string> items) {
    store::RedisReply r;
    r.type = Type::array;
    for (auto& i : items) {
        store::RedisReply e;
        e.type = Type::string;
        e.str = std::move(i);
        r.elements.push_back(std::move(e));
    }
    return r;
}

TEST(AttemptView, TheGateAsksForBothCountersInOneRun) {
    AttemptView view;
    gate::AttemptLimits limits;  // per_address 50, per_user 10
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
    auto g = gate::check_attempt(&view, limits, {"192.0.2.7", "alice"}, now);
    EXPECT_EQ(g.kind, gate::AttemptGate::Kind::unavailable) << "no answer yet: fail closed";
    auto missing = view.take_missing();
    ASSERT_EQ(missing.size(), 2u) << "address and user in one round trip";
    EXPECT_EQ(missing[0].key, gate::address_key("192.0.2.7"));
    EXPECT_EQ(missing[1].key, gate::user_key("alice"));
    EXPECT_EQ(missing[0].since_ms, 1'700'000'000'000 - 15 * 60 * 1000);
    EXPECT_TRUE(view.take_missing().empty());

    view.answer(missing[0].key, gate::AttemptSummary{0, 0});
    view.answer(missing[1].key, gate::AttemptSummary{10, 1'700'000'000'000 - 10});
    g = gate::check_attempt(&view, limits, {"192.0.2.7", "alice"}, now);
    EXPECT_EQ(g.kind, gate::AttemptGate::Kind::locked);
    EXPECT_GE(g.retry_after_seconds, 1);
    EXPECT_TRUE(view.take_missing().empty());
}

TEST(AttemptView, AnErrorAnswerStaysAnError) {
    AttemptView view;
    view.answer(gate::address_key("192.0.2.7"), fail(std::string("redis down")));
    view.answer(gate::user_key("bob"), gate::AttemptSummary{});
    gate::AttemptLimits limits;
    auto g = gate::check_attempt(&view, limits, {"192.0.2.7", "bob"}, std::chrono::system_clock::now());
    EXPECT_EQ(g.kind, gate::AttemptGate::Kind::unavailable);
    EXPECT_NE(g.reason.find("redis down"), std::string::npos);
}

TEST(AttemptView, ChangesAreKeptUntilTaken) {
    AttemptView view;
    gate::AttemptLimits limits;
    const auto now = std::chrono::system_clock::now();
    gate::record_failure(&view, limits, {"192.0.2.7", "carol"}, now);
    auto changes = view.take_changes();
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].kind, AttemptView::Change::Kind::failure);
    EXPECT_EQ(changes[0].key, gate::address_key("192.0.2.7"));
    EXPECT_EQ(changes[1].key, gate::user_key("carol"));
    EXPECT_EQ(changes[1].source, gate::source_of("192.0.2.7"));
    gate::record_failure(&view, limits, {"192.0.2.7", "carol"}, now);
    view.drop_changes();
    EXPECT_TRUE(view.take_changes().empty());
}

TEST(AttemptView, ASuccessWritesOnlyWhenThereWasSomethingToForget) {
    const struct {
        std::optional<std::uint32_t> failures;  // nullopt: the counter was never read
        bool writes;
    } cases[] = {{0u, false}, {2u, true}, {std::nullopt, true}};
    for (const auto& c : cases) {
        AttemptView view;
        if (c.failures) view.answer(gate::user_key("dave"), gate::AttemptSummary{*c.failures, 1});
        gate::record_success(&view, {"192.0.2.7", "dave"});
        auto changes = view.take_changes();
        EXPECT_EQ(changes.size(), c.writes ? 1u : 0u);
        if (c.writes) {
            EXPECT_EQ(changes[0].kind, AttemptView::Change::Kind::forget);
        }
    }
}

TEST(CredentialView, LookupsAreRecordedThenAnswered) {
    CredentialView view;
    auto s = view.find_session("aa");
    ASSERT_FALSE(s.ok());
    auto k = view.find_api_key("bb");
    ASSERT_FALSE(k.ok());
    auto missing = view.take_missing();
    ASSERT_EQ(missing.size(), 2u);
    EXPECT_EQ(missing[0].kind, CredentialView::Missing::Kind::session);
    EXPECT_EQ(missing[0].hash, "aa");
    EXPECT_EQ(missing[1].kind, CredentialView::Missing::Kind::api_key);
    gate::SessionRecord rec;
    rec.user = "erin";
    view.answer_session("aa", std::optional<gate::SessionRecord>(rec));
    view.answer_api_key("bb", std::optional<gate::ApiKeyRecord>{});
    s = view.find_session("aa");
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(s->has_value());
    EXPECT_EQ((*s)->user, "erin");
    k = view.find_api_key("bb");
    ASSERT_TRUE(k.ok());
    EXPECT_FALSE(k->has_value()) << "no such key is an answer, not an error";
    view.answer_session("cc", fail(std::string("postgres down")));
    EXPECT_FALSE(view.find_session("cc").ok());
    EXPECT_TRUE(view.take_missing().empty());
}

TEST(RedisAttempts, CommandsCarryThePrefixAndTheWindow) {
    auto s = redis_attempts::summary("gk:", "u:alice", 1000);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0], (RedisCommand{"ZCOUNT", "gk:bf:u:alice", "1000", "+inf"}));
    EXPECT_EQ(s[1], (RedisCommand{"ZRANGE", "gk:bf:u:alice", "-1", "-1", "WITHSCORES"}));
    auto add = redis_attempts::add_failure("gk:", "u:alice", 61'000, 7, 1000);
    ASSERT_EQ(add.size(), 4u);
    EXPECT_EQ(add[0], (RedisCommand{"ZREMRANGEBYSCORE", "gk:bf:u:alice", "-inf", "(1000"}));
    EXPECT_EQ(add[1][0], "ZADD");
    EXPECT_EQ(add[1][2], "61000");
    EXPECT_TRUE(add[1][3].starts_with("7:61000:")) << add[1][3];
    EXPECT_EQ(add[3], (RedisCommand{"PEXPIRE", "gk:bf:u:alice", "61000"}));
    auto again = redis_attempts::add_failure("gk:", "u:alice", 61'000, 7, 1000);
    EXPECT_NE(again[1][3], add[1][3]) << "two failures in one millisecond are two members";
    auto f = redis_attempts::forget("gk:", "u:alice", 7);
    EXPECT_EQ(f[0], "EVAL");
    EXPECT_EQ(f[3], "gk:bf:u:alice");
    EXPECT_EQ(f[4], "7");
}

TEST(RedisAttempts, ReadingSummaries) {
    {
        std::vector<RedisResult> r;
        r.emplace_back(integer(3));
        r.emplace_back(array({"7:1700000000123:ab", "1700000000123"}));
        auto s = redis_attempts::read_summary(r);
        ASSERT_TRUE(s.ok()) << s.error();
        EXPECT_EQ(s->failures, 3u);
        EXPECT_EQ(s->newest_ms, 1'700'000'000'123);
    }
    {
        std::vector<RedisResult> r;
        r.emplace_back(integer(0));
        r.emplace_back(array({}));
        auto s = redis_attempts::read_summary(r);
        ASSERT_TRUE(s.ok());
        EXPECT_EQ(s->failures, 0u);
    }
    {  // scores may come back in exponent form
        std::vector<RedisResult> r;
        r.emplace_back(integer(1));
        r.emplace_back(array({"m", "1.7e+12"}));
        auto s = redis_attempts::read_summary(r);
        ASSERT_TRUE(s.ok());
        EXPECT_EQ(s->newest_ms, 1'700'000'000'000);
    }
    const auto bad = [](std::vector<RedisResult> r) { return !redis_attempts::read_summary(r).ok(); };
    {
        std::vector<RedisResult> r;
        r.emplace_back(fail(std::string("timeout")));
        r.emplace_back(array({}));
        EXPECT_TRUE(bad(std::move(r)));
    }
    {
        std::vector<RedisResult> r;
        store::RedisReply err;
        err.type = Type::error;
        err.str = "WRONGTYPE";
        r.emplace_back(err);
        r.emplace_back(array({}));
        EXPECT_TRUE(bad(std::move(r)));
    }
    {
        std::vector<RedisResult> r;
        r.emplace_back(integer(2));
        r.emplace_back(array({"m", "not-a-number"}));
        EXPECT_TRUE(bad(std::move(r)));
    }
    {
        std::vector<RedisResult> r;
        r.emplace_back(integer(2));
        EXPECT_TRUE(bad(std::move(r)));
    }
}

}  // namespace
}  // namespace gk::server
