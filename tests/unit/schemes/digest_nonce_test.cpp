// DigestNonces (stateless, HMAC-protected) and MemoryNonceCountStore (replay
// defence). Time is always passed in: a fixed base instant plus offsets.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gatekeeper/schemes/digest.hpp"

namespace gk::schemes {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;
using State = DigestNonces::NonceState;

const Clock::time_point kT0 = Clock::time_point(1'700'000'000'000ms);  // 2023-11-14
const std::string kKey(32, 'k');
const std::string kOtherKey(32, 'K');

DigestNonces nonces(std::chrono::seconds lifetime = 300s) { return DigestNonces(kKey, lifetime); }

TEST(DigestNonces, RejectsWeakConfiguration) {
    EXPECT_THROW(DigestNonces(std::string(31, 'k'), 300s), std::invalid_argument);
    EXPECT_THROW(DigestNonces(kKey, 0s), std::invalid_argument);
    EXPECT_THROW(DigestNonces(kKey, -1s), std::invalid_argument);
    EXPECT_NO_THROW(DigestNonces(std::string(64, 'k'), 1s));
}

TEST(DigestNonces, FreshNonceIsValidUntilItsLifetimeEnds) {
    const auto n = nonces();
    const std::string nonce = n.issue(kT0);
    EXPECT_EQ(nonce.size(), DigestNonces::kNonceSize);
    EXPECT_EQ(nonce.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    EXPECT_EQ(n.check(nonce, kT0), State::valid);
    EXPECT_EQ(n.check(nonce, kT0 + 299s), State::valid);
    EXPECT_EQ(n.check(nonce, kT0 + 300s), State::valid);  // the last millisecond of its life
    EXPECT_EQ(n.check(nonce, kT0 + 300s + 1ms), State::stale);
    EXPECT_EQ(n.check(nonce, kT0 + 24h), State::stale);
    // Another instance with the same key (another worker, another node) agrees.
    EXPECT_EQ(nonces().check(nonce, kT0 + 1s), State::valid);
}

TEST(DigestNonces, EveryIssueIsDistinct) {
    const auto n = nonces();
    const std::string a = n.issue(kT0), b = n.issue(kT0);
    EXPECT_NE(a, b);  // same millisecond: the random part keeps their nc counters apart
    EXPECT_EQ(n.check(a, kT0), State::valid);
    EXPECT_EQ(n.check(b, kT0), State::valid);
}

TEST(DigestNonces, AnyChangedCharacterIsForged) {
    const auto n = nonces();
    const std::string nonce = n.issue(kT0);
    for (std::size_t i = 0; i < nonce.size(); ++i) {
        std::string t = nonce;
        t[i] = t[i] == 'A' ? 'B' : 'A';
        EXPECT_EQ(n.check(t, kT0), State::forged) << "position " << i;
    }
}

TEST(DigestNonces, MalformedOrForeignIsForged) {
    const auto n = nonces();
    const std::string nonce = n.issue(kT0);
    const DigestNonces other(kOtherKey, 300s);
    EXPECT_EQ(other.check(nonce, kT0), State::forged);
    const std::vector<std::string> bad = {
        "",
        nonce.substr(0, nonce.size() - 1),   // truncated
        nonce.substr(0, 32),                 // truncated at a base64 boundary
        nonce + "A",                         // extended
        nonce + "AAAA",                      // extended at a base64 boundary
        nonce.substr(0, 47) + "=",           // padding
        std::string(48, '+'),                // base64, not base64url
        std::string(48, 'A'),                // all zeros: well-formed but no MAC
        "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",  // the RFC's nonce
    };
    for (const auto& b : bad) EXPECT_EQ(n.check(b, kT0), State::forged) << b;
}

TEST(DigestNonces, FromTheFutureIsForgedBeyondTheSkew) {
    const auto n = nonces();
    EXPECT_EQ(n.check(n.issue(kT0 + 5s), kT0), State::valid);  // within the default 5 s skew
    EXPECT_EQ(n.check(n.issue(kT0 + 5s + 1ms), kT0), State::forged);
    EXPECT_EQ(n.check(n.issue(kT0 + 1h), kT0), State::forged);
    const DigestNonces strict(kKey, 300s, 0s);
    EXPECT_EQ(strict.check(strict.issue(kT0 + 1ms), kT0), State::forged);
    EXPECT_EQ(strict.check(strict.issue(kT0), kT0), State::valid);
}

TEST(DigestNonces, IssuedAtReadsTheTimestamp) {
    const auto n = nonces();
    EXPECT_EQ(DigestNonces::issued_at(n.issue(kT0 + 1234ms)), kT0 + 1234ms);
    EXPECT_FALSE(DigestNonces::issued_at("short").has_value());
    EXPECT_FALSE(DigestNonces::issued_at(std::string(48, '*')).has_value());
}

TEST(DigestNonces, OpaqueIsDeterministicPerRealmAndKey) {
    const auto n = nonces();
    const std::string a = n.opaque_for("Admin Panel");
    EXPECT_EQ(a.size(), 24u);
    EXPECT_EQ(a, nonces().opaque_for("Admin Panel"));
    EXPECT_NE(a, n.opaque_for("admin panel"));
    EXPECT_NE(a, n.opaque_for(""));
    EXPECT_NE(a, DigestNonces(kOtherKey, 300s).opaque_for("Admin Panel"));
    EXPECT_EQ(a.find_first_of("+/="), std::string::npos);  // base64url, quoted-string safe
}

TEST(DigestNonces, StatesHaveNames) {
    EXPECT_STREQ(to_string(State::valid), "valid");
    EXPECT_STREQ(to_string(State::stale), "stale");
    EXPECT_STREQ(to_string(State::forged), "forged");
}

// ---- MemoryNonceCountStore ---------------------------------------------------

TEST(NonceCount, StrictlyIncreasingPerNonce) {
    const auto n = nonces();
    MemoryNonceCountStore store(16);
    const std::string a = n.issue(kT0);
    EXPECT_TRUE(store.record(a, 1));
    EXPECT_TRUE(store.record(a, 2));
    EXPECT_TRUE(store.record(a, 3));
    EXPECT_FALSE(store.record(a, 3));  // replay of the same nc
    EXPECT_FALSE(store.record(a, 2));  // lower
    EXPECT_FALSE(store.record(a, 1));
    EXPECT_TRUE(store.record(a, 10));  // gaps are fine (a lost request)
    EXPECT_FALSE(store.record(a, 9));  // but never back
    EXPECT_TRUE(store.record(a, 0xFFFFFFFFu));
    EXPECT_FALSE(store.record(a, 0xFFFFFFFFu));
}

TEST(NonceCount, NoncesAreIndependent) {
    const auto n = nonces();
    MemoryNonceCountStore store(16);
    const std::string a = n.issue(kT0), b = n.issue(kT0);
    EXPECT_TRUE(store.record(a, 5));
    EXPECT_TRUE(store.record(b, 1));  // b's first request, whatever a has seen
    EXPECT_TRUE(store.record(b, 2));
    EXPECT_FALSE(store.record(a, 5));
    EXPECT_TRUE(store.record(a, 6));
    EXPECT_EQ(store.size(), 2u);
}

TEST(NonceCount, FirstUseWithAnyCountIsAccepted) {
    const auto n = nonces();
    MemoryNonceCountStore store(16);
    EXPECT_TRUE(store.record(n.issue(kT0), 7));
}

TEST(NonceCount, RefusesZeroAndForeignNonces) {
    const auto n = nonces();
    MemoryNonceCountStore store(16);
    EXPECT_FALSE(store.record(n.issue(kT0), 0));
    EXPECT_FALSE(store.record("7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", 1));
    EXPECT_FALSE(store.record("", 1));
    EXPECT_EQ(store.size(), 0u);
}

TEST(NonceCount, EvictionFailsClosed) {
    const auto n = nonces();
    MemoryNonceCountStore store(2);
    const std::string a = n.issue(kT0), b = n.issue(kT0 + 1s), c = n.issue(kT0 + 2s);
    const std::string before_a = n.issue(kT0 - 1s);  // issued earlier, never used yet
    ASSERT_TRUE(store.record(a, 1));
    ASSERT_TRUE(store.record(b, 1));
    ASSERT_TRUE(store.record(c, 1));  // full: evicts a (oldest issue time)
    EXPECT_EQ(store.size(), 2u);
    // a was forgotten: it must not start over, neither by replaying nc=1 nor going on.
    EXPECT_FALSE(store.record(a, 1));
    EXPECT_FALSE(store.record(a, 2));
    // A never-seen nonce issued before the evicted one might be an evicted one too.
    EXPECT_FALSE(store.record(before_a, 1));
    // The survivors carry on.
    EXPECT_TRUE(store.record(b, 2));
    EXPECT_TRUE(store.record(c, 2));
    EXPECT_FALSE(store.record(c, 2));
    // A newer nonce evicts b, and b is then refused as well.
    const std::string d = n.issue(kT0 + 3s);
    EXPECT_TRUE(store.record(d, 1));
    EXPECT_FALSE(store.record(b, 3));
    EXPECT_TRUE(store.record(c, 3));
    EXPECT_TRUE(store.record(d, 2));
    EXPECT_EQ(store.size(), 2u);
}

TEST(NonceCount, FullStoreRefusesAnOlderNewcomerWithoutEvicting) {
    const auto n = nonces();
    MemoryNonceCountStore store(2);
    const std::string old = n.issue(kT0);
    const std::string b = n.issue(kT0 + 2s), c = n.issue(kT0 + 3s);
    ASSERT_TRUE(store.record(b, 1));
    ASSERT_TRUE(store.record(c, 1));
    EXPECT_FALSE(store.record(old, 1));  // older than everything held: the client gets a fresh nonce
    EXPECT_TRUE(store.record(b, 2));     // nothing was evicted
    EXPECT_TRUE(store.record(c, 2));
}

TEST(NonceCount, ZeroCapacityActsAsOne) {
    const auto n = nonces();
    MemoryNonceCountStore store(0);
    const std::string a = n.issue(kT0), b = n.issue(kT0 + 1s);
    EXPECT_TRUE(store.record(a, 1));
    EXPECT_TRUE(store.record(a, 2));
    EXPECT_TRUE(store.record(b, 1));
    EXPECT_FALSE(store.record(a, 3));
    EXPECT_EQ(store.size(), 1u);
}

TEST(NonceCount, ConcurrentUseAcceptsEachCountAtMostOnce) {
    const auto n = nonces();
    MemoryNonceCountStore store(64);
    const std::string shared = n.issue(kT0);
    constexpr std::uint32_t kCounts = 2000;
    constexpr int kThreads = 4;
    std::atomic<std::uint32_t> accepted{0};
    std::vector<std::string> own;
    for (int t = 0; t < kThreads; ++t) own.push_back(n.issue(kT0 + std::chrono::seconds(t + 1)));
    std::vector<std::thread> threads;
    std::atomic<bool> own_ok{true};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (std::uint32_t nc = 1; nc <= kCounts; ++nc) {
                if (store.record(shared, nc)) ++accepted;
                if (!store.record(own[static_cast<std::size_t>(t)], nc)) own_ok = false;
            }
        });
    }
    for (auto& th : threads) th.join();
    // The first attempt at each count finds every recorded count below it, so
    // exactly kCounts are accepted; more would mean a count accepted twice.
    EXPECT_EQ(accepted.load(), kCounts);
    EXPECT_TRUE(own_ok.load());            // unshared nonces never interfere
    EXPECT_FALSE(store.record(shared, kCounts));
    EXPECT_EQ(store.size(), 1u + kThreads);
}

}  // namespace
}  // namespace gk::schemes
