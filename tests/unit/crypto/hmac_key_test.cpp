// HmacKey: the same tags as crypto::hmac() (RFC 4231 section 4 test cases for
// SHA-256/384/512, test case 5 truncated to 128 bits as published), reuse of one
// key for many messages, copies and moves, and concurrent mac() on one key.
#include "gatekeeper/crypto/hmac_key.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gatekeeper/crypto/crypto.hpp"
#include "../test_hex.hpp"

namespace gk::crypto {
namespace {

using gk::test::unhex;

struct Case {
    const char* name;
    std::string key;
    std::string data;
    const char* sha256;
    const char* sha384;
    const char* sha512;
    std::size_t truncate;  // 0 = full tag
};

// RFC 4231 section 4.2-4.8.
const std::vector<Case>& rfc4231() {
    static const std::vector<Case> cases = {
        {"tc1", unhex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), "Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
         "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
         "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
         "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
         0},
        {"tc2", "Jefe", "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
         "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
         "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
         "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
         0},
        {"tc3", std::string(20, '\xaa'), std::string(50, '\xdd'),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
         "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
         "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
         "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
         0},
        {"tc4", unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
         "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
         "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
         "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
         0},
        {"tc5", std::string(20, '\x0c'), "Test With Truncation", "a3b6167473100ee06e0c796c2955552b",
         "3abf34c3503b2a23a46efc619baef897", "415fad6271580a531d4179bc891d87a6", 16},
        {"tc6", std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
         "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
         "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
         "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
         0},
        {"tc7", std::string(131, '\xaa'),
         "This is a test using a larger than block-size key and a larger than block-size data. "
         "The key needs to be hashed before being used by the HMAC algorithm.",
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
         "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
         "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
         "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
         0},
    };
    return cases;
}

std::string shown(const std::string& tag, std::size_t truncate) {
    const std::string hex = to_hex(tag);
    return truncate ? hex.substr(0, truncate * 2) : hex;
}

TEST(HmacKey, Rfc4231AllThreeDigests) {
    for (const auto& c : rfc4231()) {
        SCOPED_TRACE(c.name);
        const HmacKey k256(DigestAlg::sha256, c.key), k384(DigestAlg::sha384, c.key),
            k512(DigestAlg::sha512, c.key);
        EXPECT_EQ(shown(k256.mac(c.data), c.truncate), c.sha256);
        EXPECT_EQ(shown(k384.mac(c.data), c.truncate), c.sha384);
        EXPECT_EQ(shown(k512.mac(c.data), c.truncate), c.sha512);
        EXPECT_EQ(k256.size(), 32u);
        EXPECT_EQ(k384.size(), 48u);
        EXPECT_EQ(k512.size(), 64u);
        // Reusing the key gives the same tag again (the prepared context is not consumed).
        EXPECT_EQ(shown(k256.mac(c.data), c.truncate), c.sha256);
        // And the one-shot function agrees.
        EXPECT_EQ(hmac(DigestAlg::sha512, c.key, c.data), k512.mac(c.data));
    }
}

TEST(HmacKey, ManyMessagesOneKeyMatchOneShot) {
    const HmacKey k(DigestAlg::sha256, "process key");
    for (int i = 0; i < 50; ++i) {
        const std::string msg(static_cast<std::size_t>(i * 7), static_cast<char>('a' + i % 26));
        EXPECT_EQ(k.mac(msg), hmac(DigestAlg::sha256, "process key", msg)) << i;
    }
}

TEST(HmacKey, EmptyKeyAndEmptyMessage) {
    EXPECT_EQ(to_hex(HmacKey(DigestAlg::sha256, "").mac("")),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacKey, OtherDigests) {
    for (auto a : {DigestAlg::md5, DigestAlg::sha1, DigestAlg::sha512_256}) {
        const HmacKey k(a, "k");
        EXPECT_EQ(k.mac("m"), hmac(a, "k", "m"));
        EXPECT_EQ(k.mac("m").size(), k.size());
    }
}

TEST(HmacKey, CopyMoveAndMovedFromFailsClosed) {
    HmacKey a(DigestAlg::sha256, "k1");
    const std::string want = hmac(DigestAlg::sha256, "k1", "m");
    HmacKey b = a;  // independent copy of the prepared context
    EXPECT_EQ(b.mac("m"), want);
    HmacKey c(DigestAlg::sha256, "k2");
    c = a;
    EXPECT_EQ(c.mac("m"), want);
    HmacKey d = std::move(a);
    EXPECT_EQ(d.mac("m"), want);
    EXPECT_THROW((void)a.mac("m"), std::runtime_error);  // NOLINT(bugprone-use-after-move): documented
}

TEST(HmacKey, ConcurrentMacOnOneKey) {
    const HmacKey k(DigestAlg::sha256, "shared key");
    constexpr int kThreads = 8, kIters = 2000;
    std::vector<std::string> msgs, want;
    for (int i = 0; i < 16; ++i) {
        msgs.push_back("user" + std::to_string(i) +
                       ":password:" + std::string(static_cast<std::size_t>(i), 'x'));
        want.push_back(hmac(DigestAlg::sha256, "shared key", msgs.back()));
    }
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kIters; ++i) {
                const std::size_t j = static_cast<std::size_t>(i + t) % msgs.size();
                if (k.mac(msgs[j]) != want[j]) mismatches.fetch_add(1, std::memory_order_relaxed);
                // The one-shot path shares its per-digest templates across threads too.
                if (hmac(DigestAlg::sha256, "shared key", msgs[j]) != want[j]) mismatches.fetch_add(1);
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace gk::crypto
