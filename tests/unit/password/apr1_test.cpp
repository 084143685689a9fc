// The apr1 algorithm itself, beyond the htpasswd fixtures: salt handling and
// the length-dependent branches of md5crypt.
#include <gtest/gtest.h>

#include <string>

#include "gatekeeper/password/hash.hpp"
#include "password/detail.hpp"

namespace gk::password {
namespace {

TEST(Apr1Test, ReproducesApacheHtpasswdOutput) {
    // From testdata/apache.htpasswd (htpasswd -nbm).
    EXPECT_EQ(detail::apr1_crypt("correct horse battery staple", "K0AQWWS8"),
              "$apr1$K0AQWWS8$BveDaJh96h/98XXkHGSch0");
    EXPECT_EQ(detail::apr1_crypt("x", "bxUOWfol"), "$apr1$bxUOWfol$GuHerxOn6WU/e8BAkHpkK.");
}

TEST(Apr1Test, UsesAtMostEightSaltCharacters) {
    EXPECT_EQ(detail::apr1_crypt("x", "bxUOWfolEXTRA"), "$apr1$bxUOWfol$GuHerxOn6WU/e8BAkHpkK.");
}

TEST(Apr1Test, OutputShapeForEveryPasswordLengthUpTo40) {
    // Lengths cross the 16-byte block loop and every bit pattern of the quirk loop.
    std::string pw;
    for (int n = 0; n <= 40; ++n, pw += static_cast<char>('a' + n % 26)) {
        std::string h = detail::apr1_crypt(pw, "saltsalt");
        ASSERT_EQ(h.size(), 6U + 8 + 1 + 22) << n;
        auto r = verify(h, pw);
        ASSERT_TRUE(r.ok()) << n;
        EXPECT_TRUE(r.value()) << n;
        if (n > 0) {
            auto w = verify(h, pw.substr(1));
            ASSERT_TRUE(w.ok());
            EXPECT_FALSE(w.value()) << n;
        }
    }
}

TEST(Apr1Test, SaltChangesTheHash) {
    EXPECT_NE(detail::apr1_crypt("pw", "aaaaaaaa").substr(15), detail::apr1_crypt("pw", "aaaaaaab").substr(15));
}

}  // namespace
}  // namespace gk::password
