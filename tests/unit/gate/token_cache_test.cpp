// The verified-token cache: a hit needs the same keyed hash and the very same
// token; expiry is the earlier of exp (+ leeway) and the configured bound.
#include "gatekeeper/gate/token_cache.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace gk::gate {
namespace {

using namespace std::chrono_literals;
const auto kNow = TokenCache::Clock::time_point(std::chrono::seconds(1'800'000'000));

VerifiedToken verified(std::string user) {
    VerifiedToken v;
    v.issuer = "corp";
    v.identity.user = std::move(user);
    v.jti = "j1";
    return v;
}

TEST(TokenCache, KeyIsStablePerTokenAndViewsIt) {
    const std::string a = "aaa.bbb.ccc", b = "aaa.bbb.ccd";
    EXPECT_EQ(TokenCache::key_for(a).hash, TokenCache::key_for(a).hash);
    EXPECT_NE(TokenCache::key_for(a).hash, TokenCache::key_for(b).hash);
    EXPECT_EQ(TokenCache::key_for(a).token.data(), a.data());  // no copy on the lookup path
}

struct Lookup {
    const char* name;
    std::string presented;  // token looked up after "aaa.bbb.ccc" was remembered
    bool same_hash;         // look up with the remembered token's hash (a forced collision)
    std::chrono::seconds at;
    bool hit;
};

class TokenCacheLookup : public ::testing::TestWithParam<Lookup> {};

TEST_P(TokenCacheLookup, Finds) {
    const Lookup& l = GetParam();
    TokenCache cache(10, 300s);
    const std::string stored = "aaa.bbb.ccc";
    cache.remember(TokenCache::key_for(stored), verified("alice"), kNow + 100s, kNow);
    TokenKey key = TokenCache::key_for(l.presented);
    if (l.same_hash) key.hash = TokenCache::key_for(stored).hash;
    const VerifiedToken* v = cache.find(key, kNow + l.at);
    EXPECT_EQ(v != nullptr, l.hit) << l.name;
    if (v != nullptr) {
        EXPECT_EQ(v->identity.user, "alice");
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TokenCacheLookup,
    ::testing::Values(Lookup{"same token", "aaa.bbb.ccc", false, 0s, true},
                      Lookup{"same token, just before valid_until", "aaa.bbb.ccc", false, 99s, true},
                      Lookup{"same token, at valid_until", "aaa.bbb.ccc", false, 100s, false},
                      Lookup{"other token", "aaa.bbb.ccd", false, 0s, false},
                      Lookup{"other token, same hash", "aaa.bbb.ccd", true, 0s, false},
                      Lookup{"prefix, same hash", "aaa.bbb.cc", true, 0s, false},
                      Lookup{"longer, same hash", "aaa.bbb.ccc.", true, 0s, false},
                      Lookup{"empty, same hash", "", true, 0s, false}),
    [](const auto& info) {
        std::string n = info.param.name;
        for (auto& c : n)
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        return n;
    });

TEST(TokenCache, TtlBoundsAnEntryBeforeExp) {
    TokenCache cache(10, 30s);
    const std::string t = "x.y.z";
    cache.remember(TokenCache::key_for(t), verified("alice"), kNow + 300s, kNow);
    EXPECT_NE(cache.find(TokenCache::key_for(t), kNow + 29s), nullptr);
    EXPECT_EQ(cache.find(TokenCache::key_for(t), kNow + 30s), nullptr);
}

TEST(TokenCache, CollidingTokenReplacesTheOld) {
    TokenCache cache(10, 300s);
    const std::string first = "first.token.sig", second = "second.token.sig";
    cache.remember(TokenCache::key_for(first), verified("alice"), kNow + 100s, kNow);
    TokenKey forced = TokenCache::key_for(second);
    forced.hash = TokenCache::key_for(first).hash;
    cache.remember(forced, verified("bob"), kNow + 100s, kNow);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.find(TokenCache::key_for(first), kNow), nullptr);
    const VerifiedToken* v = cache.find(forced, kNow);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->identity.user, "bob");
}

TEST(TokenCache, LeastRecentlyUsedGoesFirst) {
    TokenCache cache(2, 300s);
    const std::string a = "a.a.a", b = "b.b.b", c = "c.c.c";
    cache.remember(TokenCache::key_for(a), verified("a"), kNow + 100s, kNow);
    cache.remember(TokenCache::key_for(b), verified("b"), kNow + 100s, kNow);
    EXPECT_NE(cache.find(TokenCache::key_for(a), kNow), nullptr);  // a is now the most recent
    cache.remember(TokenCache::key_for(c), verified("c"), kNow + 100s, kNow);
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_NE(cache.find(TokenCache::key_for(a), kNow), nullptr);
    EXPECT_EQ(cache.find(TokenCache::key_for(b), kNow), nullptr);
    EXPECT_NE(cache.find(TokenCache::key_for(c), kNow), nullptr);
}

TEST(TokenCache, ZeroCapacityKeepsNothing) {
    TokenCache cache(0, 300s);
    const std::string t = "x.y.z";
    cache.remember(TokenCache::key_for(t), verified("alice"), kNow + 100s, kNow);
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.find(TokenCache::key_for(t), kNow), nullptr);
}

}  // namespace
}  // namespace gk::gate
