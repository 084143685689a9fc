// ct_equal truth table and random_bytes sanity.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "gatekeeper/crypto/crypto.hpp"

namespace gk::crypto {
namespace {

struct EqCase {
    std::string a;
    std::string b;
    bool equal;
};

class CtEqual : public ::testing::TestWithParam<EqCase> {};

TEST_P(CtEqual, TruthTable) {
    const auto& c = GetParam();
    EXPECT_EQ(ct_equal(c.a, c.b), c.equal);
    EXPECT_EQ(ct_equal(c.b, c.a), c.equal);  // symmetric
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CtEqual,
    ::testing::Values(EqCase{"", "", true}, EqCase{"a", "a", true}, EqCase{"abc", "abd", false},
                      EqCase{"abc", "xbc", false}, EqCase{"abc", "ab", false},  // prefix is not equal
                      EqCase{"", "a", false}, EqCase{std::string("a\0b", 3), std::string("a\0c", 3), false},
                      EqCase{std::string("a\0b", 3), std::string("a\0b", 3), true},
                      EqCase{std::string("a\0", 2), "a", false},  // no C-string truncation
                      EqCase{std::string(1000, 'x'), std::string(1000, 'x'), true},
                      EqCase{std::string(999, 'x') + "y", std::string(1000, 'x'), false}));

TEST(RandomBytes, LengthAndVariety) {
    EXPECT_TRUE(random_bytes(0).empty());
    EXPECT_EQ(random_bytes(1).size(), 1u);
    EXPECT_EQ(random_bytes(4096).size(), 4096u);
    // 32 random bytes repeating within 64 draws would mean a broken CSPRNG.
    std::set<std::string> seen;
    for (int i = 0; i < 64; ++i) seen.insert(random_bytes(32));
    EXPECT_EQ(seen.size(), 64u);
}

TEST(RandomBytes, NotAllZero) {
    const std::string r = random_bytes(64);
    EXPECT_NE(r, std::string(64, '\0'));
}

}  // namespace
}  // namespace gk::crypto
