// Broken, hostile and unknown stored hashes: an error value, never a crash,
// never "true", and never an expensive computation.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "gatekeeper/password/hash.hpp"

namespace gk::password {
namespace {

// Good shapes to break (see testdata/ for their origins).
const std::string kArgonId = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
const std::string kTag = "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
const std::string kBcrypt = "$2y$05$Z7b1l7psCGev/QjjuRg5He/t5Jtt3yBgZFnNnaGbCnvhWXrA51I3.";
const std::string kBcryptTail = "Z7b1l7psCGev/QjjuRg5He/t5Jtt3yBgZFnNnaGbCnvhWXrA51I3.";
const std::string kSha256 = "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5";
const std::string kSha256Hash = "5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5";
const std::string kYes = "$y$j9T$Cpm14cy2BT1afYRCXUWWF.$iUjUuau6jJdKKhmvv8r5ytmsnM9LgJ4stA0Vtfx.uP.";
const std::string kYesHash = "iUjUuau6jJdKKhmvv8r5ytmsnM9LgJ4stA0Vtfx.uP.";
const std::string kApr1 = "$apr1$K0AQWWS8$BveDaJh96h/98XXkHGSch0";
const std::string kSha1 = "{SHA}q/eq1kOINtvlJqojGr3i0O73TUI=";

struct BadCase {
    std::string what;
    std::string stored;
    VerifyError error;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.what; }

class MalformedTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(MalformedTest, IsAnErrorQuickly) {
    const auto start = std::chrono::steady_clock::now();
    auto r = verify(GetParam().stored, "password");
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r.ok()) << GetParam().what << " verified as " << r.value();
    EXPECT_EQ(r.error(), GetParam().error) << GetParam().what;
    // Hostile costs must be refused before hashing, not after.
    EXPECT_LT(took, std::chrono::seconds(2)) << GetParam().what;
}

constexpr VerifyError M = VerifyError::malformed_hash;
constexpr VerifyError U = VerifyError::unsupported_format;

INSTANTIATE_TEST_SUITE_P(
    Argon2, MalformedTest,
    ::testing::Values(
        BadCase{"prefix only", "$argon2id$", M},
        BadCase{"no tag", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ", M},
        BadCase{"empty tag", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$", M},
        BadCase{"tag of 1 mod 4 chars", kArgonId.substr(0, kArgonId.size() - 2), M},
        BadCase{"tag under 4 bytes", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65E", M},
        BadCase{"bad base64 salt", "$argon2id$v=19$m=256,t=2,p=1$c29t*XNhbHQ$" + kTag, M},
        BadCase{"padded salt", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ=$" + kTag, M},
        BadCase{"salt under 8 bytes", "$argon2id$v=19$m=256,t=2,p=1$c29tZQ$" + kTag, M},
        BadCase{"bad tag char", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR-uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", M},
        BadCase{"m not a number", "$argon2id$v=19$m=abc,t=2,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"m leading zero", "$argon2id$v=19$m=0256,t=2,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"m negative", "$argon2id$v=19$m=-256,t=2,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"m below libargon2 minimum", "$argon2id$v=19$m=4,t=2,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"m overflows 32 bits", "$argon2id$v=19$m=4294967296,t=2,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"m above the 1 GiB cap", "$argon2id$v=19$m=1048577,t=2,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"m = 4 GiB - 1", "$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"t zero", "$argon2id$v=19$m=256,t=0,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"t above the cap", "$argon2id$v=19$m=256,t=65,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"t huge", "$argon2id$v=19$m=256,t=4294967295,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"p zero", "$argon2id$v=19$m=256,t=2,p=0$c29tZXNhbHQ$" + kTag, M},
        BadCase{"p above the cap", "$argon2id$v=19$m=4096,t=2,p=17$c29tZXNhbHQ$" + kTag, M},
        BadCase{"m below 8 p", "$argon2id$v=19$m=8,t=2,p=2$c29tZXNhbHQ$" + kTag, M},
        BadCase{"missing t", "$argon2id$v=19$m=256,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"params reordered", "$argon2id$v=19$t=2,m=256,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"extra param", "$argon2id$v=19$m=256,t=2,p=1,x=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"unknown version", "$argon2id$v=18$m=256,t=2,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"empty version", "$argon2id$v=$m=256,t=2,p=1$c29tZXNhbHQ$" + kTag, M},
        BadCase{"trailing field", kArgonId + "$", M},
        BadCase{"NUL inside", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNh" + std::string(1, '\0') + "bHQ$" + kTag, M},
        BadCase{"very long", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$" + std::string(600, 'A'), M}));

INSTANTIATE_TEST_SUITE_P(
    Bcrypt, MalformedTest,
    ::testing::Values(BadCase{"prefix only", "$2y$", M}, BadCase{"no hash", "$2y$05$", M},
                      BadCase{"truncated", kBcrypt.substr(0, 59), M}, BadCase{"one char long", kBcrypt + "a", M},
                      BadCase{"cost 03", "$2y$03$" + kBcryptTail, M}, BadCase{"cost 32", "$2y$32$" + kBcryptTail, M},
                      BadCase{"cost above the cap", "$2y$18$" + kBcryptTail, M},
                      BadCase{"cost 31", "$2b$31$" + kBcryptTail, M},
                      BadCase{"cost not digits", "$2y$1a$" + kBcryptTail, M},
                      BadCase{"cost one digit", "$2y$5$" + kBcryptTail + "x", M},
                      BadCase{"bad salt char", "$2y$05$Z7b1l7psCGev*QjjuRg5He/t5Jtt3yBgZFnNnaGbCnvhWXrA51I3.", M},
                      BadCase{"missing separator", "$2y$05Z" + kBcryptTail + "x", M}));

INSTANTIATE_TEST_SUITE_P(
    ShaCrypt, MalformedTest,
    ::testing::Values(BadCase{"prefix only", "$5$", M}, BadCase{"no hash", "$5$saltstring", M},
                      BadCase{"empty hash", "$5$saltstring$", M},
                      BadCase{"truncated", kSha256.substr(0, kSha256.size() - 1), M},
                      BadCase{"sha256 hash under $6$", "$6$saltstring$" + kSha256Hash, M},
                      BadCase{"salt over 16", "$5$saltstringsaltstr$" + kSha256Hash, M},
                      BadCase{"salt with space", "$5$salt string$" + kSha256Hash, M},
                      BadCase{"bad hash char", "$5$saltstring$5B8vYYiY!CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", M},
                      BadCase{"rounds not a number", "$5$rounds=abc$saltstring$" + kSha256Hash, M},
                      BadCase{"rounds leading zero", "$5$rounds=05000$saltstring$" + kSha256Hash, M},
                      BadCase{"rounds empty", "$5$rounds=$saltstring$" + kSha256Hash, M},
                      BadCase{"rounds above the cap", "$5$rounds=10000001$saltstring$" + kSha256Hash, M},
                      BadCase{"rounds above the spec", "$5$rounds=9999999999$saltstring$" + kSha256Hash, M}));

INSTANTIATE_TEST_SUITE_P(
    Yescrypt, MalformedTest,
    ::testing::Values(BadCase{"prefix only", "$y$", M}, BadCase{"params only", "$y$j9T$", M},
                      BadCase{"no hash", "$y$j9T$Cpm14cy2BT1afYRCXUWWF.", M},
                      BadCase{"truncated", kYes.substr(0, kYes.size() - 1), M},
                      BadCase{"empty params", "$y$$Cpm14cy2BT1afYRCXUWWF.$" + kYesHash, M},
                      BadCase{"bad salt char", "$y$j9T$Cpm14cy2BT1a!YRCXUWWF.$" + kYesHash, M},
                      BadCase{"bad params char", "$y$j9!$Cpm14cy2BT1afYRCXUWWF.$" + kYesHash, M},
                      BadCase{"N = 2^38", "$y$jZT$Cpm14cy2BT1afYRCXUWWF.$" + kYesHash, M},
                      BadCase{"r huge", "$y$j9zzzz$Cpm14cy2BT1afYRCXUWWF.$" + kYesHash, M},
                      BadCase{"params cut mid-number", "$y$j9z$Cpm14cy2BT1afYRCXUWWF.$" + kYesHash, M}));

INSTANTIATE_TEST_SUITE_P(
    Apr1AndSha1, MalformedTest,
    ::testing::Values(BadCase{"apr1 prefix only", "$apr1$", M}, BadCase{"apr1 no hash", "$apr1$K0AQWWS8", M},
                      BadCase{"apr1 empty hash", "$apr1$K0AQWWS8$", M},
                      BadCase{"apr1 truncated", kApr1.substr(0, kApr1.size() - 1), M},
                      BadCase{"apr1 one char long", kApr1 + "A", M},
                      BadCase{"apr1 salt over 8", "$apr1$K0AQWWS8x$BveDaJh96h/98XXkHGSch0", M},
                      BadCase{"apr1 empty salt", "$apr1$$BveDaJh96h/98XXkHGSch0", M},
                      BadCase{"apr1 bad salt char", "$apr1$K0AQ:WS8$BveDaJh96h/98XXkHGSch0", M},
                      BadCase{"apr1 bad hash char", "$apr1$K0AQWWS8$BveDaJh96h/98XXkHGSc+0", M},
                      BadCase{"sha1 empty", "{SHA}", M}, BadCase{"sha1 unpadded", "{SHA}q/eq1kOINtvlJqojGr3i0O73TUI", M},
                      BadCase{"sha1 bad char", "{SHA}q/eq1kOINtvlJqojGr3i0O73T*I=", M},
                      BadCase{"sha1 19 bytes", "{SHA}q/eq1kOINtvlJqojGr3i0O73TQ==", M},
                      BadCase{"sha1 21 bytes", "{SHA}q/eq1kOINtvlJqojGr3i0O73TUIA", M},
                      BadCase{"sha1 non-zero pad bits", "{SHA}q/eq1kOINtvlJqojGr3i0O73TUJ=", M},
                      BadCase{"sha1 trailing space", kSha1 + " ", M}));

INSTANTIATE_TEST_SUITE_P(
    Unknown, MalformedTest,
    ::testing::Values(BadCase{"empty", "", U}, BadCase{"plaintext", "password", U},
                      BadCase{"md5crypt $1$", "$1$saltsalt$hash", U},
                      BadCase{"bcrypt $2x$", "$2x$05$" + kBcryptTail, U}, BadCase{"scrypt $7$", "$7$C6..../....", U},
                      BadCase{"gost-yescrypt", "$gy$j9T$salt$hash", U}, BadCase{"argon2ds", "$argon2ds$v=16$m=8", U},
                      BadCase{"salted sha", "{SSHA}abcdef", U}, BadCase{"leading space", " " + kBcrypt, U}));

TEST(CostTest, ArgonParamsReasonableUsesTheGivenLimits) {
    CostLimits fuzz;
    fuzz.argon2_max_m_kib = 65536;
    fuzz.argon2_max_t = 4;
    EXPECT_TRUE(argon2_params_reasonable(kArgonId));
    EXPECT_TRUE(argon2_params_reasonable(kArgonId, fuzz));
    const std::string big = "$argon2id$v=19$m=262144,t=2,p=1$c29tZXNhbHQ$" + kTag;
    EXPECT_TRUE(argon2_params_reasonable(big));
    EXPECT_FALSE(argon2_params_reasonable(big, fuzz));
    EXPECT_FALSE(argon2_params_reasonable("$argon2i$v=19$m=256,t=5,p=1$c29tZXNhbHQ$" + kTag, fuzz));
    EXPECT_FALSE(argon2_params_reasonable("$argon2d$m=2000000,t=1,p=1$c29tZXNhbHQ$" + kTag));
    // Not argon2, or unreadable (verify refuses those before hashing): nothing to fear.
    EXPECT_TRUE(argon2_params_reasonable(kBcrypt, fuzz));
    EXPECT_TRUE(argon2_params_reasonable("$argon2id$garbage", fuzz));
}

TEST(CostTest, CostReasonableCoversEveryTunableFormat) {
    CostLimits tight;
    tight.bcrypt_max_cost = 4;
    tight.sha_crypt_max_rounds = 1000;
    tight.yescrypt_max_bytes = 1 << 20;
    EXPECT_TRUE(cost_reasonable(kBcrypt));
    EXPECT_FALSE(cost_reasonable(kBcrypt, tight));
    EXPECT_TRUE(cost_reasonable(kSha256));  // 5000 implied rounds
    EXPECT_FALSE(cost_reasonable(kSha256, tight));
    EXPECT_TRUE(cost_reasonable(kYes));     // N=4096, r=32: 16 MiB
    EXPECT_FALSE(cost_reasonable(kYes, tight));
    EXPECT_TRUE(cost_reasonable(kApr1, tight));
    EXPECT_TRUE(cost_reasonable(kSha1, tight));
}

}  // namespace
}  // namespace gk::password
