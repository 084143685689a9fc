// Known-answer tests for digest() and hmac(): FIPS 180 / RFC 1321 / RFC 3174
// examples and the RFC 4231 HMAC test cases 1-7.
#include <gtest/gtest.h>

#include <string>

#include "gatekeeper/crypto/crypto.hpp"
#include "../test_hex.hpp"

namespace gk::crypto {
namespace {

using gk::test::unhex;

struct DigestCase {
    const char* name;
    DigestAlg alg;
    std::string input;
    const char* hex;
};

class DigestKat : public ::testing::TestWithParam<DigestCase> {};

TEST_P(DigestKat, MatchesPublishedValue) {
    const auto& c = GetParam();
    EXPECT_EQ(to_hex(digest(c.alg, c.input)), c.hex);
}

INSTANTIATE_TEST_SUITE_P(
    Published, DigestKat,
    ::testing::Values(
        DigestCase{"md5_empty", DigestAlg::md5, "", "d41d8cd98f00b204e9800998ecf8427e"},
        DigestCase{"md5_abc", DigestAlg::md5, "abc", "900150983cd24fb0d6963f7d28e17f72"},
        DigestCase{"sha1_abc", DigestAlg::sha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
        DigestCase{"sha256_abc", DigestAlg::sha256, "abc",
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        DigestCase{"sha256_empty", DigestAlg::sha256, "",
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        DigestCase{"sha384_abc", DigestAlg::sha384, "abc",
                   "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                   "8086072ba1e7cc2358baeca134c825a7"},
        DigestCase{"sha512_abc", DigestAlg::sha512, "abc",
                   "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                   "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
        // FIPS 180-4 SHA-512/256 example: a distinct IV, NOT a truncated SHA-512
        // (the bug behind RFC 7616 erratum 4897).
        DigestCase{"sha512_256_abc", DigestAlg::sha512_256, "abc",
                   "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Digest, Sha512_256IsNotTruncatedSha512) {
    EXPECT_NE(digest(DigestAlg::sha512_256, "abc"), digest(DigestAlg::sha512, "abc").substr(0, 32));
}

TEST(Digest, OutputSizes) {
    EXPECT_EQ(digest(DigestAlg::md5, "x").size(), 16u);
    EXPECT_EQ(digest(DigestAlg::sha1, "x").size(), 20u);
    EXPECT_EQ(digest(DigestAlg::sha256, "x").size(), 32u);
    EXPECT_EQ(digest(DigestAlg::sha384, "x").size(), 48u);
    EXPECT_EQ(digest(DigestAlg::sha512, "x").size(), 64u);
    EXPECT_EQ(digest(DigestAlg::sha512_256, "x").size(), 32u);
}

TEST(Digest, BinaryInputWithNulBytes) {
    const std::string with_nul("a\0b", 3);
    EXPECT_NE(digest(DigestAlg::sha256, with_nul), digest(DigestAlg::sha256, "a"));
}

// RFC 4231 section 4: keys and data as hex.
struct HmacCase {
    const char* name;
    std::string key_hex;
    std::string data;  // raw bytes
    const char* sha256;
    const char* sha384;
    const char* sha512;
    std::size_t truncate;  // 0 = full tag; test case 5 publishes 128-bit tags
};

class Rfc4231 : public ::testing::TestWithParam<HmacCase> {};

TEST_P(Rfc4231, AllThreeDigests) {
    const auto& c = GetParam();
    const std::string key = unhex(c.key_hex);
    auto tag = [&](DigestAlg a) {
        std::string hex = to_hex(hmac(a, key, c.data));
        return c.truncate ? hex.substr(0, c.truncate * 2) : hex;
    };
    EXPECT_EQ(tag(DigestAlg::sha256), c.sha256);
    EXPECT_EQ(tag(DigestAlg::sha384), c.sha384);
    EXPECT_EQ(tag(DigestAlg::sha512), c.sha512);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4231Section4, Rfc4231,
    ::testing::Values(
        HmacCase{"tc1", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
                 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                 "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
                 "faea9ea9076ede7f4af152e8b2fa9cb6",
                 "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                 "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
                 0},
        HmacCase{"tc2", "4a656665", "what do ya want for nothing?",
                 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                 "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
                 "8e2240ca5e69e2c78b3239ecfab21649",
                 "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                 "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
                 0},
        HmacCase{"tc3", std::string(40, 'a'), std::string(50, '\xdd'),
                 "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                 "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
                 "2a5ab39dc13814b94e3ab6e101a34f27",
                 "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
                 "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
                 0},
        HmacCase{"tc4", "0102030405060708090a0b0c0d0e0f10111213141516171819", std::string(50, '\xcd'),
                 "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                 "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
                 "6801dd23c4a7d679ccf8a386c674cffb",
                 "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
                 "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
                 0},
        HmacCase{"tc5_truncated", "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "Test With Truncation",
                 "a3b6167473100ee06e0c796c2955552b", "3abf34c3503b2a23a46efc619baef897",
                 "415fad6271580a531d4179bc891d87a6", 16},
        HmacCase{"tc6_long_key", std::string(262, 'a'), "Test Using Larger Than Block-Size Key - Hash Key First",
                 "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                 "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
                 "0c2ef6ab4030fe8296248df163f44952",
                 "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
                 "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
                 0},
        HmacCase{"tc7_long_key_and_data", std::string(262, 'a'),
                 "This is a test using a larger than block-size key and a larger than block-size data. "
                 "The key needs to be hashed before being used by the HMAC algorithm.",
                 "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                 "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
                 "a678cc31e799176d3860e6110c46523e",
                 "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
                 "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
                 0}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Hmac, EmptyKeyIsARealKeyNotAnError) {
    // HMAC-SHA256 with an empty key and empty message (well-known value).
    EXPECT_EQ(to_hex(hmac(DigestAlg::sha256, "", "")),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Hmac, KeyMatters) {
    EXPECT_NE(hmac(DigestAlg::sha256, "k1", "m"), hmac(DigestAlg::sha256, "k2", "m"));
    EXPECT_EQ(hmac(DigestAlg::sha256, "k1", "m"), hmac(DigestAlg::sha256, "k1", "m"));
}

TEST(Hmac, Md5AndSha1AndSha512_256Work) {
    EXPECT_EQ(hmac(DigestAlg::md5, "k", "m").size(), 16u);
    EXPECT_EQ(hmac(DigestAlg::sha1, "k", "m").size(), 20u);
    EXPECT_EQ(hmac(DigestAlg::sha512_256, "k", "m").size(), 32u);
}

TEST(ToHex, LowerCaseAllBytes) {
    EXPECT_EQ(to_hex(""), "");
    EXPECT_EQ(to_hex(std::string("\x00\x0f\xa0\xff", 4)), "000fa0ff");
    EXPECT_EQ(to_hex("AZ"), "415a");
}

}  // namespace
}  // namespace gk::crypto
