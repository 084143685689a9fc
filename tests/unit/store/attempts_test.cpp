// Brute-force counters: the lock-out arithmetic, the counter keys, and the
// rules of check/record on the real in-memory store.
#include <gtest/gtest.h>

#include "gatekeeper/gate/attempts.hpp"
#include "store/memory_attempt_store.hpp"

namespace gk::gate {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::system_clock;

AttemptLimits limits(unsigned per_address, unsigned per_user) {
    AttemptLimits l;
    l.per_address = per_address;
    l.per_user = per_user;
    l.window = 60s;
    l.first_lockout = 1000ms;
    l.max_lockout = 30s;
    return l;
}

TEST(LockoutLeft, Table) {
    const auto l = limits(5, 3);
    struct Row {
        std::uint32_t failures;
        std::int64_t newest_ms, now_ms;
        unsigned limit;
        std::int64_t want_ms;
    } rows[] = {
        {0, 0, 0, 3, 0},              // nothing failed
        {2, 1000, 1000, 3, 0},        // below the limit
        {3, 1000, 1000, 3, 1000},     // at the limit: first lock-out
        {3, 1000, 1600, 3, 400},      // part of it gone
        {3, 1000, 2000, 3, 0},        // over
        {4, 1000, 1000, 3, 2000},     // doubles
        {6, 1000, 1000, 3, 8000},     // 1s * 2^3
        {9, 1000, 1000, 3, 30000},    // capped at max_lockout (64s > 30s)
        {200, 1000, 1000, 3, 30000},  // no overflow
        {50, 1000, 1000, 0, 0},       // limit 0: counting off
    };
    for (const auto& r : rows)
        EXPECT_EQ(lockout_left({r.failures, r.newest_ms}, r.limit, l, r.now_ms).count(), r.want_ms)
            << r.failures << " failures, limit " << r.limit << ", " << (r.now_ms - r.newest_ms) << " ms later";
}

TEST(AttemptKeys, AddressesAndV6Prefixes) {
    EXPECT_EQ(address_key("192.0.2.7"), "a:192.0.2.7");
    EXPECT_EQ(address_key("::ffff:192.0.2.7"), "a:192.0.2.7");  // v4-mapped is the v4 host
    // One host usually owns a whole /64: rotating the low bits does not help.
    EXPECT_EQ(address_key("2001:db8::1"), address_key("2001:db8::ffff:1"));
    EXPECT_EQ(address_key("2001:db8::1"), "a:2001:0db8:0000:0000::/64");
    EXPECT_NE(address_key("2001:db8::1"), address_key("2001:db8:0:1::1"));
    EXPECT_EQ(address_key("unix"), "a:unix");
    EXPECT_NE(user_key("alice"), address_key("alice"));
    EXPECT_EQ(source_of("2001:db8::1"), source_of("2001:db8::2"));
    EXPECT_NE(source_of("192.0.2.1"), source_of("192.0.2.2"));
}

struct Attempts : ::testing::Test {
    store::MemoryAttemptStore store;
    clock::time_point t0 = clock::time_point{} + std::chrono::hours(24 * 365 * 50);
    AttemptLimits l = limits(100, 3);

    void fail(std::string_view addr, std::string_view user, clock::time_point at) {
        record_failure(&store, l, {addr, user}, at);
    }
    AttemptGate check(std::string_view addr, std::string_view user, clock::time_point at) {
        return check_attempt(&store, l, {addr, user}, at);
    }
};

TEST_F(Attempts, UserLockedAtLimitWhetherOrNotItExists) {
    for (auto user : {"alice", "nobody-by-this-name"}) {
        for (int i = 0; i < 3; ++i) {
            EXPECT_EQ(check("192.0.2.1", user, t0).kind, AttemptGate::Kind::go) << user << " attempt " << i;
            fail("192.0.2.1", user, t0);
        }
        auto g = check("192.0.2.9", user, t0);  // from anywhere: the name is locked
        EXPECT_EQ(g.kind, AttemptGate::Kind::locked) << user;
        EXPECT_EQ(g.retry_after_seconds, 1);
        EXPECT_EQ(check("192.0.2.1", "someone-else", t0).kind, AttemptGate::Kind::go);
        EXPECT_EQ(check("192.0.2.1", user, t0 + 1s).kind, AttemptGate::Kind::go) << "the first lock-out is 1 s";
    }
}

TEST_F(Attempts, BackOffDoublesThenCaps) {
    auto at = t0;
    for (int i = 0; i < 3; ++i) fail("192.0.2.1", "alice", at);
    std::vector<int> waits;
    for (int i = 0; i < 6; ++i) {
        auto g = check("192.0.2.1", "alice", at);
        ASSERT_EQ(g.kind, AttemptGate::Kind::locked);
        waits.push_back(g.retry_after_seconds);
        at += std::chrono::seconds(g.retry_after_seconds);  // wait it out, then fail again
        fail("192.0.2.1", "alice", at);
    }
    EXPECT_EQ(waits, (std::vector<int>{1, 2, 4, 8, 16, 30}));
}

TEST_F(Attempts, SuccessForgetsOnlyThisClientsFailures) {
    fail("192.0.2.1", "alice", t0);
    fail("192.0.2.1", "alice", t0);
    fail("192.0.2.2", "alice", t0);  // someone else, elsewhere
    EXPECT_EQ(check("192.0.2.1", "alice", t0).kind, AttemptGate::Kind::locked);
    record_success(&store, {"192.0.2.1", "alice"});
    // The owner's own typos are forgiven; the stranger's failure still counts.
    EXPECT_EQ(check("192.0.2.1", "alice", t0).kind, AttemptGate::Kind::go);
    fail("192.0.2.2", "alice", t0);
    fail("192.0.2.2", "alice", t0);
    EXPECT_EQ(check("192.0.2.1", "alice", t0).kind, AttemptGate::Kind::locked);
}

TEST_F(Attempts, AddressCounterIsNotResetBySucceedingElsewhere) {
    l = limits(4, 0);
    for (auto user : {"a", "b", "c"}) fail("192.0.2.1", user, t0);
    record_success(&store, {"192.0.2.1", "mine"});  // the attacker's own account
    fail("192.0.2.1", "d", t0);
    EXPECT_EQ(check("192.0.2.1", "e", t0).kind, AttemptGate::Kind::locked);
    EXPECT_EQ(check("192.0.2.1", {}, t0).kind, AttemptGate::Kind::locked);  // API keys too
    EXPECT_EQ(check("192.0.2.2", "e", t0).kind, AttemptGate::Kind::go);
}

TEST_F(Attempts, FailuresLeaveTheSlidingWindow) {
    fail("192.0.2.1", "alice", t0);
    fail("192.0.2.1", "alice", t0 + 30s);
    fail("192.0.2.1", "alice", t0 + 61s);  // the first has left the 60 s window
    EXPECT_EQ(check("192.0.2.1", "alice", t0 + 61s).kind, AttemptGate::Kind::go);
    fail("192.0.2.1", "alice", t0 + 62s);
    EXPECT_EQ(check("192.0.2.1", "alice", t0 + 62s).kind, AttemptGate::Kind::locked);
}

TEST_F(Attempts, NoStoreOrNoLimitsMeansGo) {
    EXPECT_EQ(check_attempt(nullptr, l, {"192.0.2.1", "alice"}, t0).kind, AttemptGate::Kind::go);
    auto off = limits(0, 0);
    for (int i = 0; i < 10; ++i) record_failure(&store, off, {"192.0.2.1", "alice"}, t0);
    EXPECT_EQ(store.size(), 0u);
    EXPECT_EQ(check_attempt(&store, off, {"192.0.2.1", "alice"}, t0).kind, AttemptGate::Kind::go);
}

// A store that cannot answer (a fault): the check fails closed.
class BrokenStore final : public AttemptStore {
public:
    Result<AttemptSummary, std::string> summary(std::string_view, std::int64_t) override { return fail("down"); }
    Result<Ok, std::string> add_failure(std::string_view, std::int64_t, std::uint64_t, std::int64_t) override {
        return fail("down");
    }
    Result<Ok, std::string> forget(std::string_view, std::uint64_t) override { return fail("down"); }
};

TEST_F(Attempts, UnavailableStoreFailsClosed) {
    BrokenStore broken;
    auto g = check_attempt(&broken, l, {"192.0.2.1", "alice"}, t0);
    EXPECT_EQ(g.kind, AttemptGate::Kind::unavailable);
    EXPECT_NE(g.reason.find("down"), std::string::npos);
    record_failure(&broken, l, {"192.0.2.1", "alice"}, t0);  // ignored, no throw
}

TEST(MemoryAttemptStore, StaysBoundedAndKeepsRealLockouts) {
    store::MemoryAttemptStore store(64);
    const std::int64_t now = 1'000'000;
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(store.add_failure("u:victim", now, 1, now - 60'000).ok());
    // A flood of made-up names, one failure each.
    for (int i = 0; i < 5000; ++i)
        ASSERT_TRUE(store.add_failure("u:made-up-" + std::to_string(i), now + i, 2, now - 60'000).ok());
    EXPECT_LE(store.size(), 64u);
    auto s = store.summary("u:victim", now - 60'000);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->failures, 20u);
}

TEST(MemoryAttemptStore, KeepsAtMostMaxKeptPerKey) {
    store::MemoryAttemptStore store;
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(store.add_failure("a:x", 1000 + i, 1, 0).ok());
    auto s = store.summary("a:x", 0);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->failures, store::MemoryAttemptStore::kMaxKept);
    EXPECT_EQ(s->newest_ms, 1999);
}

TEST(MemoryAttemptStore, ForgetRemovesEmptyKeys) {
    store::MemoryAttemptStore store;
    ASSERT_TRUE(store.add_failure("u:alice", 1000, 7, 0).ok());
    ASSERT_TRUE(store.add_failure("u:alice", 1001, 8, 0).ok());
    ASSERT_TRUE(store.forget("u:alice", 7).ok());
    EXPECT_EQ(store.summary("u:alice", 0)->failures, 1u);
    ASSERT_TRUE(store.forget("u:alice", 8).ok());
    EXPECT_EQ(store.size(), 0u);
}

}  // namespace
}  // namespace gk::gate
