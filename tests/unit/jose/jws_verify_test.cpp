// verify_jws: allow-list, key lookup by kid and by what each key may verify,
// and the first verifying candidate wins.
#include <gtest/gtest.h>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;

Jws parsed(const std::string& token) { return parse_jws(token).value(); }

std::string signed_token(SigAlg alg, const crypto::Key& key, std::string kid) {
    return sign_jws(alg, key, R"({"sub":"x"})", {.kid = std::move(kid), .typ = {}}).value();
}

TEST(VerifyJws, AcceptsWithTheRightKey) {
    const auto& k = keys();
    const JwkSet set({public_of(make_jwk(k.p256, "ec"))});
    EXPECT_TRUE(verify_jws(parsed(signed_token(SigAlg::es256, k.p256, "ec")), set).ok());
}

TEST(VerifyJws, AllowListComesFirst) {
    const auto& k = keys();
    const Jws jws = parsed(signed_token(SigAlg::es256, k.p256, "ec"));
    const JwkSet set({public_of(make_jwk(k.p256, "ec"))});
    const SigAlg only_rs[] = {SigAlg::rs256};
    const SigAlg both[] = {SigAlg::rs256, SigAlg::es256};
    EXPECT_EQ(verify_jws(jws, set, only_rs).error(), JoseError::alg_not_allowed);
    EXPECT_EQ(verify_jws(jws, JwkSet(), only_rs).error(), JoseError::alg_not_allowed);
    EXPECT_TRUE(verify_jws(jws, set, both).ok());
}

TEST(VerifyJws, NoKey) {
    const auto& k = keys();
    const Jws jws = parsed(signed_token(SigAlg::es256, k.p256, "ec"));
    EXPECT_EQ(verify_jws(jws, JwkSet()).error(), JoseError::no_key);
    EXPECT_EQ(verify_jws(jws, JwkSet({public_of(make_jwk(k.p256, "other"))})).error(), JoseError::no_key);
    EXPECT_EQ(verify_jws(jws, JwkSet({public_of(make_jwk(k.p384, "ec"))})).error(), JoseError::no_key);
    EXPECT_EQ(verify_jws(jws, JwkSet({public_of(make_jwk(k.rsa, "ec"))})).error(), JoseError::no_key);
    Jwk enc = public_of(make_jwk(k.p256, "ec"));
    enc.use = "enc";
    EXPECT_EQ(verify_jws(jws, JwkSet({enc})).error(), JoseError::no_key);
    Jwk pinned = public_of(make_jwk(k.p256, "ec"));
    pinned.alg = SigAlg::es384;  // parse_jwk would refuse this key; built by hand it still never serves ES256
    EXPECT_EQ(verify_jws(jws, JwkSet({pinned})).error(), JoseError::no_key);
}

TEST(VerifyJws, BadSignature) {
    const auto& k = keys();
    const JwkSet set({public_of(make_jwk(k.attacker_p256, "ec"))});
    EXPECT_EQ(verify_jws(parsed(signed_token(SigAlg::es256, k.p256, "ec")), set).error(),
              JoseError::bad_signature);

    Jws tampered = parsed(signed_token(SigAlg::es256, k.p256, "ec"));
    const JwkSet good({public_of(make_jwk(k.p256, "ec"))});
    tampered.signing_input.back() ^= 1;
    EXPECT_EQ(verify_jws(tampered, good).error(), JoseError::bad_signature);
}

TEST(VerifyJws, TriesEachCandidate) {
    // Key rotation with a reused kid, and a token without kid: every fitting
    // key is tried in set order; the one that verifies wins.
    const auto& k = keys();
    const JwkSet set({public_of(make_jwk(k.attacker_p256, "same")), public_of(make_jwk(k.p256, "same")),
                      public_of(make_jwk(k.rsa, "rsa"))});
    EXPECT_TRUE(verify_jws(parsed(signed_token(SigAlg::es256, k.p256, "same")), set).ok());
    EXPECT_TRUE(verify_jws(parsed(signed_token(SigAlg::es256, k.p256, "")), set).ok());
    EXPECT_TRUE(verify_jws(parsed(signed_token(SigAlg::rs256, k.rsa, "")), set).ok());
    EXPECT_EQ(verify_jws(parsed(signed_token(SigAlg::rs256, k.rsa2, "")), set).error(),
              JoseError::bad_signature);
}

TEST(VerifyJws, KeyWithoutKidServesAnyKid) {
    const auto& k = keys();
    const JwkSet set({public_of(make_jwk(k.rsa))});
    EXPECT_TRUE(verify_jws(parsed(signed_token(SigAlg::rs256, k.rsa, "issuer-kid")), set).ok());
    EXPECT_TRUE(verify_jws(parsed(signed_token(SigAlg::rs256, k.rsa, "")), set).ok());
}

TEST(VerifyJws, PinnedAlgorithm) {
    // RFC 8725bis 3.1: one key, one algorithm. The same RSA key pinned to
    // RS256 refuses PS256 and RS512 tokens it could technically verify.
    const auto& k = keys();
    const JwkSet set({public_of(make_jwk(k.rsa, "r", SigAlg::rs256))});
    EXPECT_TRUE(verify_jws(parsed(signed_token(SigAlg::rs256, k.rsa, "r")), set).ok());
    EXPECT_EQ(verify_jws(parsed(signed_token(SigAlg::ps256, k.rsa, "r")), set).error(), JoseError::no_key);
    EXPECT_EQ(verify_jws(parsed(signed_token(SigAlg::rs512, k.rsa, "r")), set).error(), JoseError::no_key);
}

TEST(VerifyJws, HmacKeyLength) {
    // RFC 7518 section 3.2: HS384 needs 48 bytes; a 32-byte secret serves HS256 only.
    const auto& k = keys();
    const JwkSet set({make_jwk(k.hs32, "h")});
    EXPECT_TRUE(verify_jws(parsed(signed_token(SigAlg::hs256, k.hs32, "h")), set).ok());
    const std::string short_hs384 =
        hs256_with_bytes(R"({"alg":"HS256","kid":"h"})", "{}", k.hs32.secret().reveal());  // the HS256 shape
    EXPECT_TRUE(verify_jws(parsed(short_hs384), set).ok());
    const std::string input = b64(R"({"alg":"HS384","kid":"h"})") + "." + b64("{}");
    const std::string hs384 =
        input + "." + b64(crypto::hmac(crypto::DigestAlg::sha384, k.hs32.secret().reveal(), input));
    EXPECT_EQ(verify_jws(parsed(hs384), set).error(), JoseError::no_key);
}

}  // namespace
}  // namespace gk::jose
