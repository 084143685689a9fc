// hash_argon2id and dummy_hash: fresh salts, the promised encoding, and that
// what we write, we read back.
#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>
#include <string>

#include "gatekeeper/password/hash.hpp"

namespace gk::password {
namespace {

// Cheap params so the suite stays fast; the default params get one test of their own.
const Argon2Params kFast{1, 64, 1};

TEST(HashArgon2idTest, DefaultParamsMakeTheDocumentedPhcString) {
    const std::string h = hash_argon2id("correct horse battery staple");
    // 16-byte salt = 22 unpadded base64 chars, 32-byte tag = 43.
    static const std::regex kShape(R"(^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$)");
    EXPECT_TRUE(std::regex_match(h, kShape)) << h;
    EXPECT_EQ(detect(h), Format::argon2id);
    auto ok = verify(h, "correct horse battery staple");
    ASSERT_TRUE(ok.ok());
    EXPECT_TRUE(ok.value());
}

TEST(HashArgon2idTest, RoundTripsAndRejectsNearMisses) {
    for (const std::string& pw : {std::string(), std::string("a"), std::string("p\xC3\xA4ss w\xC3\xB6rd"),
                                 std::string("nul\0inside", 10), std::string(1000, 'x')}) {
        const std::string h = hash_argon2id(pw, kFast);
        auto good = verify(h, pw);
        ASSERT_TRUE(good.ok()) << h;
        EXPECT_TRUE(good.value()) << pw.size();
        auto bad = verify(h, pw + "!");
        ASSERT_TRUE(bad.ok());
        EXPECT_FALSE(bad.value());
        if (!pw.empty()) {
            auto shorter = verify(h, pw.substr(0, pw.size() - 1));
            ASSERT_TRUE(shorter.ok());
            EXPECT_FALSE(shorter.value());
        }
    }
}

TEST(HashArgon2idTest, SamePasswordTwiceGivesDifferentSaltsAndTags) {
    const std::string a = hash_argon2id("same", kFast);
    const std::string b = hash_argon2id("same", kFast);
    EXPECT_NE(a, b);
    // The salt field itself differs, not just the tag.
    EXPECT_NE(a.substr(0, a.rfind('$')), b.substr(0, b.rfind('$')));
}

TEST(HashArgon2idTest, ParamsAreWrittenAsGiven) {
    const std::string h = hash_argon2id("pw", Argon2Params{3, 128, 2});
    EXPECT_NE(h.find("$m=128,t=3,p=2$"), std::string::npos) << h;
    auto r = verify(h, "pw");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.value());
}

TEST(HashArgon2idTest, ImpossibleParamsThrowAtTheEdge) {
    EXPECT_THROW(hash_argon2id("pw", Argon2Params{1, 0, 1}), std::invalid_argument);
    EXPECT_THROW(hash_argon2id("pw", Argon2Params{0, 64, 1}), std::invalid_argument);
    EXPECT_THROW(hash_argon2id("pw", Argon2Params{1, 64, 0}), std::invalid_argument);
}

TEST(DummyHashTest, IsOneStableArgon2idWithDefaultCost) {
    const std::string& d = dummy_hash();
    EXPECT_EQ(&d, &dummy_hash());
    EXPECT_EQ(detect(d), Format::argon2id);
    EXPECT_NE(d.find("$m=19456,t=2,p=1$"), std::string::npos) << d;
}

TEST(DummyHashTest, VerifiesFalseNotError) {
    for (const char* pw : {"", "password", "correct horse battery staple", "wonderland"}) {
        auto r = verify(dummy_hash(), pw);
        ASSERT_TRUE(r.ok()) << pw;
        EXPECT_FALSE(r.value()) << pw;
    }
}

}  // namespace
}  // namespace gk::password
