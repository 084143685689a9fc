#include "gatekeeper/gate/credential_cache.hpp"

#include <gtest/gtest.h>

namespace gk::gate {
namespace {

using namespace std::chrono_literals;
const auto t0 = CredentialCache::Clock::time_point{} + 1000s;

TEST(CredentialCache, RemembersUntilTtl) {
    CredentialCache c("k", 10, 60s);
    auto key = c.key_for("alice", "pw", "$hash");
    EXPECT_FALSE(c.contains(key, t0));
    c.remember(key, t0);
    EXPECT_TRUE(c.contains(key, t0 + 59s));
    EXPECT_FALSE(c.contains(key, t0 + 61s));
}

TEST(CredentialCache, KeyDependsOnEveryPartAndNeverHoldsThePassword) {
    CredentialCache c("k", 10, 60s);
    auto k = c.key_for("alice", "pw", "$hash");
    EXPECT_NE(k, c.key_for("alice", "pw2", "$hash"));
    EXPECT_NE(k, c.key_for("alice", "pw", "$hash2"));  // a changed stored hash misses
    EXPECT_NE(k, c.key_for("alicep", "w", "$hash"));   // no ambiguity at part boundaries
    EXPECT_EQ(k.find("pw"), std::string::npos);
    EXPECT_EQ(k.size(), 32u);
    CredentialCache other("other-key", 10, 60s);
    EXPECT_NE(k, other.key_for("alice", "pw", "$hash"));
}

TEST(CredentialCache, BoundedLru) {
    CredentialCache c("k", 2, 60s);
    auto a = c.key_for("a", "1", "h"), b = c.key_for("b", "1", "h"), d = c.key_for("d", "1", "h");
    c.remember(a, t0);
    c.remember(b, t0);
    EXPECT_TRUE(c.contains(a, t0));  // a is now most recent
    c.remember(d, t0);               // evicts b
    EXPECT_EQ(c.size(), 2u);
    EXPECT_TRUE(c.contains(a, t0));
    EXPECT_FALSE(c.contains(b, t0));
    EXPECT_TRUE(c.contains(d, t0));
}

}  // namespace
}  // namespace gk::gate
