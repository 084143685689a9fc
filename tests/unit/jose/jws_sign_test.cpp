// sign_jws: the header it writes, the keys it refuses, and signatures every
// algorithm's verifier accepts.
#include <gtest/gtest.h>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;

TEST(SignJws, HeaderIsCompactAndMinimal) {
    const auto& k = keys();
    auto t = sign_jws(SigAlg::hs256, k.hs32, "payload");
    ASSERT_TRUE(t.ok());
    auto jws = parse_jws(*t);
    ASSERT_TRUE(jws.ok());
    EXPECT_EQ(jws->header_json, R"({"alg":"HS256"})");
    EXPECT_EQ(jws->payload, "payload");

    auto t2 = sign_jws(SigAlg::es256, k.p256, "{}", {.kid = "k\"1", .typ = "at+jwt"});
    ASSERT_TRUE(t2.ok());
    auto jws2 = parse_jws(*t2);
    ASSERT_TRUE(jws2.ok());
    EXPECT_EQ(jws2->header_json, R"({"alg":"ES256","kid":"k\"1","typ":"at+jwt"})");
    EXPECT_EQ(jws2->header.kid, "k\"1");
    EXPECT_EQ(jws2->header.typ, "at+jwt");
}

TEST(SignJws, AcmeHeadersNonceUrlJwk) {
    const auto& k = keys();
    Jwk pub;
    pub.key = k.p256;
    AcmeHeader acme;
    acme.nonce = "n0nce";
    acme.url = "https://ca.test/acme/new-acct";
    acme.jwk = &pub;
    auto t = sign_jws(SigAlg::es256, k.p256, "", SignOptions{}, acme);
    ASSERT_TRUE(t.ok());
    auto jws = parse_jws(*t);
    ASSERT_TRUE(jws.ok());
    const std::string jwk = to_json(pub);
    EXPECT_EQ(jws->header_json,
              R"({"alg":"ES256","nonce":"n0nce","url":"https://ca.test/acme/new-acct","jwk":)" + jwk + "}");
    EXPECT_EQ(jwk.find("\"d\""), std::string::npos);  // never the private part
    EXPECT_EQ(jws->payload, "");
}

TEST(SignJws, PayloadBytesSignedAsGiven) {
    const std::string payload("{\"a\":1,\r\n \"b\":\"\xC3\xA9\"}");
    auto t = sign_jws(SigAlg::eddsa, keys().ed, payload);
    ASSERT_TRUE(t.ok());
    auto jws = parse_jws(*t);
    ASSERT_TRUE(jws.ok());
    EXPECT_EQ(jws->payload, payload);
    EXPECT_TRUE(verify_jws(*jws, JwkSet({public_of(make_jwk(keys().ed))})).ok());
}

TEST(SignJws, RefusesKeysThatDoNotFit) {
    const auto& k = keys();
    struct Case {
        const char* name;
        SigAlg alg;
        const crypto::Key* key;
    };
    const crypto::Key rsa_public = public_of(make_jwk(k.rsa)).key;
    const crypto::Key short_secret = crypto::Key::hmac_secret(Secret(std::string(16, 's')));
    const crypto::Key empty;
    const Case cases[] = {
        {"public_rsa", SigAlg::rs256, &rsa_public},
        {"rsa_as_hmac", SigAlg::hs256, &k.rsa},
        {"ec_wrong_curve", SigAlg::es384, &k.p256},
        {"ec_as_rsa", SigAlg::rs256, &k.p256},
        {"ed_as_es", SigAlg::es256, &k.ed},
        {"hmac_as_rsa", SigAlg::rs256, &k.hs64},
        {"hs512_32_bytes", SigAlg::hs512, &k.hs32},
        {"hs384_32_bytes", SigAlg::hs384, &k.hs32},
        {"hs256_16_bytes", SigAlg::hs256, &short_secret},
        {"empty_key", SigAlg::hs256, &empty},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto t = sign_jws(c.alg, *c.key, "{}");
        ASSERT_FALSE(t.ok());
        EXPECT_EQ(t.error(), JoseError::bad_key);
    }
}

TEST(SignJws, EveryAlgorithmVerifies) {
    for (SigAlg a : kAllAlgs) {
        SCOPED_TRACE(crypto::jose_name(a));
        const crypto::Key& key = signer_for(a);
        auto t = sign_jws(a, key, R"({"x":1})", {.kid = "k", .typ = {}});
        ASSERT_TRUE(t.ok());
        auto jws = parse_jws(*t);
        ASSERT_TRUE(jws.ok());
        EXPECT_EQ(jws->header.alg, a);
        const JwkSet set({public_of(make_jwk(key, "k"))});
        EXPECT_TRUE(verify_jws(*jws, set).ok());
        // One flipped signature bit: refused.
        Jws bad = *jws;
        bad.signature[bad.signature.size() / 2] ^= 0x01;
        EXPECT_EQ(verify_jws(bad, set).error(), JoseError::bad_signature);
    }
}

}  // namespace
}  // namespace gk::jose
