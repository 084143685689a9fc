// verify() against hashes made by Apache htpasswd, OpenSSL, libxcrypt and the
// argon2 reference implementation (testdata/README.md says how).
#include <gtest/gtest.h>

#include <string>

#include "fixtures.hpp"
#include "gatekeeper/password/hash.hpp"

namespace gk::password {
namespace {

using test::fixture_hash;

struct FixtureCase {
    std::string file;
    std::string user;
    std::string password;
    Format format;
};

void PrintTo(const FixtureCase& c, std::ostream* os) { *os << c.file << ":" << c.user; }

std::string name_of(const ::testing::TestParamInfo<FixtureCase>& info) { return info.param.user; }

const std::string kHorse = "correct horse battery staple";
const std::string k72a(72, 'a');

class FixtureTest : public ::testing::TestWithParam<FixtureCase> {
protected:
    std::string stored() const { return fixture_hash(GetParam().file, GetParam().user); }
};

TEST_P(FixtureTest, DetectsItsFormat) { EXPECT_EQ(detect(stored()), GetParam().format); }

TEST_P(FixtureTest, RightPasswordVerifies) {
    auto r = verify(stored(), GetParam().password);
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_TRUE(r.value());
}

TEST_P(FixtureTest, WrongPasswordsDoNot) {
    const std::string& pw = GetParam().password;
    std::vector<std::string> wrong{"", "wrong", pw + "x", "x" + pw, pw + '\0'};
    if (!pw.empty()) {
        std::string last = pw;
        last.back() = static_cast<char>(last.back() ^ 1);  // a one-bit change
        wrong.push_back(last);
        wrong.push_back(pw.substr(0, pw.size() - 1));
        std::string first = pw;
        first.front() = static_cast<char>(first.front() ^ 0x20);  // case flip
        wrong.push_back(first);
    }
    for (const auto& w : wrong) {
        if (w == pw) continue;  // "" is the right password for the empty-password vector
        auto r = verify(stored(), w);
        ASSERT_TRUE(r.ok()) << to_string(r.error());
        EXPECT_FALSE(r.value()) << "accepted a wrong password of length " << w.size();
    }
}

TEST_P(FixtureTest, OneCharacterChangeInTheHashFails) {
    std::string s = stored();
    ASSERT_GT(s.size(), 10U);
    char& c = s[s.size() - 5];  // inside the hash/tag part for every format
    c = c == 'A' ? 'B' : 'A';
    auto r = verify(s, GetParam().password);
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_FALSE(r.value());
}

INSTANTIATE_TEST_SUITE_P(
    Apache, FixtureTest,
    ::testing::Values(FixtureCase{"apache.htpasswd", "bcrypt5", kHorse, Format::bcrypt},
                      FixtureCase{"apache.htpasswd", "bcrypt4", "p\xC3\xA4ssw\xC3\xB6rd:with colon", Format::bcrypt},
                      FixtureCase{"apache.htpasswd", "apr1", kHorse, Format::apr1},
                      FixtureCase{"apache.htpasswd", "apr1short", "x", Format::apr1},
                      FixtureCase{"apache.htpasswd", "sha1", kHorse, Format::sha1},
                      FixtureCase{"apache.htpasswd", "sha256", kHorse, Format::sha256_crypt},
                      FixtureCase{"apache.htpasswd", "sha512", kHorse, Format::sha512_crypt},
                      FixtureCase{"apache.htpasswd", "sha512r1000", "tr0ub4dor&3", Format::sha512_crypt}),
    name_of);

INSTANTIATE_TEST_SUITE_P(
    Other, FixtureTest,
    ::testing::Values(FixtureCase{"other.htpasswd", "osha256", kHorse, Format::sha256_crypt},
                      FixtureCase{"other.htpasswd", "osha512", kHorse, Format::sha512_crypt},
                      FixtureCase{"other.htpasswd", "drepper256", "Hello world!", Format::sha256_crypt},
                      FixtureCase{"other.htpasswd", "drepper512", "Hello world!", Format::sha512_crypt},
                      FixtureCase{"other.htpasswd", "yescrypt", kHorse, Format::yescrypt},
                      FixtureCase{"other.htpasswd", "bcrypt2b", kHorse, Format::bcrypt}),
    name_of);

INSTANTIATE_TEST_SUITE_P(
    Argon2Reference, FixtureTest,
    ::testing::Values(FixtureCase{"argon2.htpasswd", "ref_id_m256", "password", Format::argon2id},
                      FixtureCase{"argon2.htpasswd", "ref_id_m256_p2", "password", Format::argon2id},
                      FixtureCase{"argon2.htpasswd", "ref_id_m65536", "password", Format::argon2id},
                      FixtureCase{"argon2.htpasswd", "ref_i_m256", "password", Format::argon2i},
                      FixtureCase{"argon2.htpasswd", "ref_i_v16_m256", "password", Format::argon2i},
                      FixtureCase{"argon2.htpasswd", "ref_d_v16_empty", "", Format::argon2d}),
    name_of);

// SECURITY.md 4: accepted for compatibility (and warned about as legacy);
// DES crypt reads only the first 8 characters.
TEST(VerifyTest, DesCryptFromHtpasswdVerifiesWithItsTruncation) {
    const std::string stored = fixture_hash("apache.htpasswd", "descrypt");
    EXPECT_EQ(detect(stored), Format::des_crypt);
    auto r = verify(stored, "password");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.value());
    EXPECT_TRUE(verify(stored, "password-and-more").value());
    EXPECT_FALSE(verify(stored, "passwor").value());
    EXPECT_FALSE(verify(stored, "Password").value());
    EXPECT_TRUE(verify("xyU/nsqvQUo/E", "wonderland").value());
    EXPECT_FALSE(verify("xyU/nsqvQUo/E", "wonderXand").value());
    EXPECT_FALSE(verify("xyU/nsqvQUo/F", "wonderland").value());
}

// Documented weakness, not a wish: bcrypt reads only the first 72 bytes.
TEST(VerifyTest, BcryptIgnoresBytesAfterThe72nd) {
    const std::string stored = fixture_hash("apache.htpasswd", "bcrypt72");
    for (const std::string& pw : {k72a + "tail-ignored-by-bcrypt", k72a, k72a + "anything else"}) {
        auto r = verify(stored, pw);
        ASSERT_TRUE(r.ok());
        EXPECT_TRUE(r.value()) << pw.size();
    }
    auto r = verify(stored, std::string(71, 'a'));
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value());
}

// The argon2 type in the prefix is what gets computed: relabelling fails.
TEST(VerifyTest, Argon2TypeIsBoundToThePrefix) {
    std::string s = fixture_hash("argon2.htpasswd", "ref_id_m256");
    s.replace(0, 10, "$argon2i$");
    auto r = verify(s, "password");
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value());
}

// Every proper prefix of a real hash is refused or false, never true or a crash.
TEST(VerifyTest, TruncationsNeverVerify) {
    for (auto [file, user, pw] : {std::tuple{"apache.htpasswd", "bcrypt4", "p\xC3\xA4ssw\xC3\xB6rd:with colon"},
                                  std::tuple{"apache.htpasswd", "apr1", kHorse.c_str()},
                                  std::tuple{"apache.htpasswd", "sha1", kHorse.c_str()},
                                  std::tuple{"apache.htpasswd", "sha512r1000", "tr0ub4dor&3"},
                                  std::tuple{"other.htpasswd", "yescrypt", kHorse.c_str()},
                                  std::tuple{"argon2.htpasswd", "ref_id_m256", "password"}}) {
        std::string full = fixture_hash(file, user);
        for (std::size_t n = 0; n < full.size(); ++n) {
            auto r = verify(full.substr(0, n), pw);
            EXPECT_TRUE(!r.ok() || !r.value()) << user << " truncated to " << n;
        }
    }
}

}  // namespace
}  // namespace gk::password
