// verify_jwt end to end: order of the steps, typ (RFC 8725 3.11, RFC 9068
// 2.1), and a signed round trip for every algorithm with fresh keys.
#include <gtest/gtest.h>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;

std::string token(SigAlg alg, const json::object& claims, std::string typ = {}, std::string kid = "k") {
    return sign_jws(alg, signer_for(alg), json::serialize(claims),
                    {.kid = std::move(kid), .typ = std::move(typ)})
        .value();
}
JwkSet set_for(SigAlg alg) { return JwkSet({public_of(make_jwk(signer_for(alg), "k"))}); }

TEST(VerifyJwt, RoundTripEveryAlgorithm) {
    for (SigAlg a : kAllAlgs) {
        SCOPED_TRACE(crypto::jose_name(a));
        auto c = verify_jwt(token(a, good_claims()), set_for(a), default_rules(), kNow);
        ASSERT_TRUE(c.ok()) << to_string(c.error());
        EXPECT_EQ(c->sub, "alice");
        EXPECT_EQ(c->iss, "https://issuer.example");
        EXPECT_EQ(c->exp, kNowSeconds + 600);
    }
}

TEST(VerifyJwt, RoundTripWithFreshKeys) {
    // Keys generated for this test only, published as a JWKS and read back.
    const Jwk keys[] = {
        make_jwk(crypto::Key::generate_rsa(3072), "rsa3072", SigAlg::ps384),
        make_jwk(crypto::Key::generate_ec(crypto::Curve::p521), "p521", SigAlg::es512),
        make_jwk(crypto::Key::generate_ed25519(), "ed", SigAlg::eddsa),
        make_jwk(crypto::Key::generate_hmac(64), "hmac", SigAlg::hs512),
    };
    auto published = parse_jwks(to_json(JwkSet(std::vector<Jwk>(std::begin(keys), std::end(keys))), true));
    ASSERT_TRUE(published.ok());
    for (const auto& k : keys) {
        SCOPED_TRACE(k.kid);
        auto t = sign_jws(*k.alg, k.key, json::serialize(good_claims()), {.kid = k.kid, .typ = "at+jwt"});
        ASSERT_TRUE(t.ok());
        auto c = verify_jwt(*t, published->set, default_rules(), kNow);
        EXPECT_TRUE(c.ok()) << to_string(c.error());
    }
}

TEST(VerifyJwt, StepOrder) {
    const SigAlg a = SigAlg::es256;
    auto expired = good_claims();
    expired["exp"] = kNowSeconds - 1000;
    const std::string expired_token = token(a, expired);
    // Signature before claims: an expired token signed by a stranger is a bad signature.
    const JwkSet stranger({public_of(make_jwk(keys().attacker_p256, "k"))});
    EXPECT_EQ(verify_jwt(expired_token, stranger, default_rules(), kNow).error(), JoseError::bad_signature);
    EXPECT_EQ(verify_jwt(expired_token, set_for(a), default_rules(), kNow).error(), JoseError::expired);
    // Size before everything.
    JwtRules small = default_rules();
    small.max_bytes = 20;
    EXPECT_EQ(verify_jwt(expired_token, stranger, small, kNow).error(), JoseError::too_large);
    // Allow-list before key lookup.
    JwtRules rs_only = default_rules();
    rs_only.algorithms = {SigAlg::rs256};
    EXPECT_EQ(verify_jwt(expired_token, JwkSet(), rs_only, kNow).error(), JoseError::alg_not_allowed);
    // typ before signature.
    JwtRules typed = default_rules();
    typed.typ = "at+jwt";
    EXPECT_EQ(verify_jwt(expired_token, stranger, typed, kNow).error(), JoseError::wrong_type);
}

TEST(VerifyJwt, PayloadMustBeAClaimsObject) {
    const auto& k = signer_for(SigAlg::es256);
    const JwkSet set = set_for(SigAlg::es256);
    for (const char* payload : {"Payload", "[]", "", "{\"exp\":\"soon\"}", "{\"a\":1,\"a\":2}"}) {
        SCOPED_TRACE(payload);
        auto t = sign_jws(SigAlg::es256, k, payload, {.kid = "k", .typ = {}});
        EXPECT_FALSE(verify_jwt(*t, set, default_rules(), kNow).ok());
    }
}

TEST(VerifyJwt, Typ) {
    struct Case {
        const char* required;
        const char* header;  // nullptr: absent
        bool ok;
    };
    const Case cases[] = {
        {"at+jwt", "at+jwt", true},
        {"at+jwt", "application/at+jwt", true},
        {"at+jwt", "AT+JWT", true},
        {"at+jwt", "Application/AT+JWT", true},
        {"application/at+jwt", "at+jwt", true},
        {"at+jwt", "JWT", false},
        {"at+jwt", nullptr, false},
        {"at+jwt", "at+jwt ", false},
        {"at+jwt", "application/", false},
        {"at+jwt", "xapplication/at+jwt", false},
        {"JWT", "jwt", true},
        {"", "anything", true},
        {"", nullptr, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.required) + " vs " + (c.header ? c.header : "(absent)"));
        JwtRules r = default_rules();
        r.typ = c.required;
        auto v = verify_jwt(token(SigAlg::es256, good_claims(), c.header ? c.header : ""),
                            set_for(SigAlg::es256), r, kNow);
        if (c.ok) {
            EXPECT_TRUE(v.ok()) << to_string(v.error());
        } else {
            ASSERT_FALSE(v.ok());
            EXPECT_EQ(v.error(), JoseError::wrong_type);
        }
    }
}

TEST(VerifyJwt, ClaimRulesApplied) {
    const SigAlg a = SigAlg::hs256;
    JwtRules r = default_rules();
    r.claims.audiences = {"other"};
    EXPECT_EQ(verify_jwt(token(a, good_claims()), set_for(a), r, kNow).error(), JoseError::wrong_audience);
    r = default_rules();
    r.claims.issuer = "https://other.example";
    EXPECT_EQ(verify_jwt(token(a, good_claims()), set_for(a), r, kNow).error(), JoseError::wrong_issuer);
    r = default_rules();
    r.claims.required = {"email"};
    EXPECT_EQ(verify_jwt(token(a, good_claims()), set_for(a), r, kNow).error(), JoseError::missing_claim);
}

TEST(ErrorText, ShortDistinctAndClientSafe) {
    std::vector<std::string> seen;
    for (int i = 0; i <= static_cast<int>(JoseError::wrong_type); ++i) {
        const std::string s = to_string(static_cast<JoseError>(i));
        EXPECT_FALSE(s.empty());
        EXPECT_LE(s.size(), 48u) << s;
        EXPECT_EQ(s.find_first_of("\"\\\r\n"), std::string::npos) << s;
        for (char ch : s) EXPECT_TRUE(ch >= 0x20 && ch < 0x7f) << s;
        EXPECT_EQ(std::find(seen.begin(), seen.end(), s), seen.end()) << "duplicate text " << s;
        seen.push_back(s);
    }
    EXPECT_STREQ(to_string(JoseError::expired), "token expired");
    EXPECT_STREQ(to_string(JoseError::not_yet_valid), "token not yet valid");
    EXPECT_STREQ(to_string(JoseError::bad_signature), "signature does not verify");
    EXPECT_STREQ(to_string(JoseError::no_key), "unknown signing key");
    EXPECT_STREQ(to_string(JoseError::wrong_issuer), "token issuer not trusted");
    EXPECT_STREQ(to_string(JoseError::wrong_audience), "token audience not accepted");
}

}  // namespace
}  // namespace gk::jose
