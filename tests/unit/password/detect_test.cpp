#include <gtest/gtest.h>

#include <string>

#include "gatekeeper/password/hash.hpp"

namespace gk::password {
namespace {

struct DetectCase {
    std::string stored;
    Format format;
};

void PrintTo(const DetectCase& c, std::ostream* os) { *os << c.stored; }

class DetectTest : public ::testing::TestWithParam<DetectCase> {};

TEST_P(DetectTest, ByPrefix) { EXPECT_EQ(detect(GetParam().stored), GetParam().format) << GetParam().stored; }

INSTANTIATE_TEST_SUITE_P(
    Prefixes, DetectTest,
    ::testing::Values(DetectCase{"$argon2id$v=19$m=1,t=1,p=1$x$y", Format::argon2id},
                      DetectCase{"$argon2i$v=19$m=1,t=1,p=1$x$y", Format::argon2i},
                      DetectCase{"$argon2d$", Format::argon2d},
                      DetectCase{"$2a$10$", Format::bcrypt}, DetectCase{"$2b$", Format::bcrypt},
                      DetectCase{"$2y$05$abc", Format::bcrypt}, DetectCase{"$5$salt$h", Format::sha256_crypt},
                      DetectCase{"$6$", Format::sha512_crypt}, DetectCase{"$y$j9T$", Format::yescrypt},
                      DetectCase{"$apr1$", Format::apr1}, DetectCase{"{SHA}abc=", Format::sha1},
                      // Near misses are unknown, never a neighbour.
                      DetectCase{"", Format::unknown}, DetectCase{"$", Format::unknown},
                      DetectCase{"$argon2id", Format::unknown}, DetectCase{"$argon2$", Format::unknown},
                      DetectCase{"$ARGON2ID$", Format::unknown}, DetectCase{"$argon2ds$", Format::unknown},
                      DetectCase{"$2x$10$", Format::unknown}, DetectCase{"$2$", Format::unknown},
                      DetectCase{"$1$salt$hash", Format::unknown}, DetectCase{"$7$", Format::unknown},
                      DetectCase{"$gy$", Format::unknown}, DetectCase{"$5", Format::unknown},
                      DetectCase{"{SSHA}abc", Format::unknown}, DetectCase{"{sha}abc", Format::unknown},
                      DetectCase{"34LjcDtcW0s0o", Format::des_crypt},
                      DetectCase{"34LjcDtcW0s0", Format::unknown}, DetectCase{"34LjcDtcW0s0o0", Format::unknown},
                      DetectCase{"34LjcDtcW0s0*", Format::unknown}, DetectCase{"plaintext", Format::unknown},
                      DetectCase{" $2y$05$", Format::unknown}, DetectCase{"apr1$", Format::unknown}));

TEST(DetectTest, LegacyFormatsAreApr1Sha1AndDes) {
    for (Format f : {Format::argon2id, Format::argon2i, Format::argon2d, Format::bcrypt, Format::sha256_crypt,
                     Format::sha512_crypt, Format::yescrypt, Format::unknown})
        EXPECT_FALSE(is_legacy(f)) << to_string(f);
    EXPECT_TRUE(is_legacy(Format::apr1));
    EXPECT_TRUE(is_legacy(Format::sha1));
    EXPECT_TRUE(is_legacy(Format::des_crypt));
}

TEST(DetectTest, Names) {
    EXPECT_STREQ(to_string(Format::argon2id), "argon2id");
    EXPECT_STREQ(to_string(Format::sha512_crypt), "sha512-crypt");
    EXPECT_STREQ(to_string(Format::unknown), "unknown");
    EXPECT_STREQ(to_string(VerifyError::malformed_hash), "malformed password hash");
    EXPECT_STREQ(to_string(VerifyError::unsupported_format), "unsupported password hash format");
}

}  // namespace
}  // namespace gk::password
