// RFC 7515 appendix A, RFC 7519 sections 3.1 and 6.1 (../shared/vectors/rfc/).
// Their exp is 1300819380 (2011-03-22): the JWS layer is checked without a
// clock, the JWT layer both before that date and at kNow (expired).
#include <gtest/gtest.h>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;

const json::value& jws_vectors() {
    static const json::value v = load_vectors("rfc/rfc7515_jws.json");
    return v;
}
const json::value& jwt_vectors() {
    static const json::value v = load_vectors("rfc/rfc7519_jwt.json");
    return v;
}

std::string str(const json::value& v) { return std::string(v.as_string()); }

// The verification key of a case: jwk (oct) or jwk_public.
JwkSet key_set(const json::object& c) {
    const json::value* k = c.if_contains("jwk_public");
    if (k == nullptr) k = c.if_contains("jwk");
    if (k == nullptr) return {};
    return JwkSet({parse_jwk(json::serialize(*k)).value()});
}

TEST(Rfc7515, AppendixA) {
    int valid = 0, rejected = 0;
    for (const auto& cv : jws_vectors().at("cases").as_array()) {
        const auto& c = cv.as_object();
        const std::string id = str(c.at("id"));
        SCOPED_TRACE(id);
        auto jws = parse_jws(str(c.at("compact")));
        if (c.at("expect_jws_verify") == "valid") {
            ASSERT_TRUE(jws.ok()) << to_string(jws.error());
            EXPECT_EQ(jws->signing_input, str(c.at("signing_input")));
            EXPECT_EQ(b64(jws->signature), str(c.at("signature_b64")));
            EXPECT_EQ(jws->header_json, c.contains("protected_header_json_exact")
                                            ? str(c.at("protected_header_json_exact"))
                                            : std::string());
            const std::string payload = c.contains("payload_exact")
                                            ? str(c.at("payload_exact"))
                                            : str(jws_vectors().at("payload").at("json_exact"));
            EXPECT_EQ(jws->payload, payload);
            EXPECT_EQ(crypto::jose_name(jws->header.alg), c.at("alg").as_string());
            const JwkSet set = key_set(c);
            ASSERT_FALSE(set.empty());
            EXPECT_TRUE(verify_jws(*jws, set).ok());
            // Restricting the allow-list to another algorithm refuses it.
            const SigAlg other[] = {jws->header.alg == SigAlg::rs256 ? SigAlg::ps256 : SigAlg::rs256};
            EXPECT_EQ(verify_jws(*jws, set, other).error(), JoseError::alg_not_allowed);
            ++valid;
        } else {
            const bool refused = !jws.ok() || !verify_jws(*jws, key_set(c)).ok();
            EXPECT_TRUE(refused);
            ++rejected;
        }
    }
    EXPECT_EQ(valid, 4);
    EXPECT_EQ(rejected, 2);
}

TEST(Rfc7515, A5NoneAndTamperedPayload) {
    for (const auto& cv : jws_vectors().at("cases").as_array()) {
        const auto& c = cv.as_object();
        if (c.at("id") == "rfc7515-A.5-none") {
            // Empty third part: the parts rule fires before the alg is looked at.
            EXPECT_EQ(parse_jws(str(c.at("compact"))).error(), JoseError::malformed);
            EXPECT_EQ(parse_jws(str(c.at("compact")) + "AAAA").error(), JoseError::alg_none);
        }
        if (c.at("id") == "rfc7515-A.1-tampered-payload") {
            auto jws = parse_jws(str(c.at("compact")));
            ASSERT_TRUE(jws.ok());
            EXPECT_EQ(jws->payload, str(c.at("payload_exact")));
            EXPECT_EQ(verify_jws(*jws, key_set(c)).error(), JoseError::bad_signature);
        }
    }
}

TEST(Rfc7515, A2SigningIsReproduced) {
    // RSASSA-PKCS1-v1_5 is deterministic: sign_jws with the A.2 private key
    // must produce the RFC's token byte for byte (header {"alg":"RS256"}).
    for (const auto& cv : jws_vectors().at("cases").as_array()) {
        const auto& c = cv.as_object();
        if (c.at("id") != "rfc7515-A.2-rs256") continue;
        auto key = parse_jwk(json::serialize(c.at("jwk_private")));
        ASSERT_TRUE(key.ok());
        ASSERT_TRUE(key->key.has_private());
        auto token = sign_jws(SigAlg::rs256, key->key, str(jws_vectors().at("payload").at("json_exact")));
        ASSERT_TRUE(token.ok());
        EXPECT_EQ(*token, str(c.at("compact")));
        return;
    }
    FAIL() << "A.2 missing";
}

TEST(Rfc7515, PrivateKeysRoundTrip) {
    // A.3 / A.4 private keys sign; their public halves verify (ECDSA is randomized).
    for (const auto& cv : jws_vectors().at("cases").as_array()) {
        const auto& c = cv.as_object();
        if (!c.contains("jwk_private")) continue;
        SCOPED_TRACE(str(c.at("id")));
        auto priv = parse_jwk(json::serialize(c.at("jwk_private")));
        ASSERT_TRUE(priv.ok());
        const auto alg = crypto::sig_alg_from_jose_name(c.at("alg").as_string()).value();
        auto token = sign_jws(alg, priv->key, "Payload");
        ASSERT_TRUE(token.ok());
        EXPECT_TRUE(verify_jws(*parse_jws(*token), key_set(c)).ok());
    }
}

TEST(Rfc7515, AsJwtsTheyAreExpiredOrNotClaims) {
    const auto before_exp = std::chrono::system_clock::time_point(std::chrono::seconds(1300819380 - 100));
    JwtRules r;  // no issuer/audience configured: only the JWT mechanics
    for (const auto& cv : jws_vectors().at("cases").as_array()) {
        const auto& c = cv.as_object();
        if (c.at("expect_jws_verify") != "valid") continue;
        const std::string id = str(c.at("id"));
        SCOPED_TRACE(id);
        const std::string token = str(c.at("compact"));
        auto now = verify_jwt(token, key_set(c), r, kNow);
        auto then = verify_jwt(token, key_set(c), r, before_exp);
        if (id == "rfc7515-A.4-es512") {
            EXPECT_EQ(now.error(), JoseError::bad_json);  // payload "Payload" is not a claims set
            EXPECT_EQ(then.error(), JoseError::bad_json);
        } else {
            EXPECT_EQ(now.error(), JoseError::expired);
            ASSERT_TRUE(then.ok()) << to_string(then.error());
            EXPECT_EQ(then->iss, "joe");
            EXPECT_EQ(then->exp, 1300819380);
            EXPECT_EQ(then->raw.at("http://example.com/is_root"), true);
            EXPECT_EQ(verify_jwt(token, key_set(c), r,
                                 std::chrono::system_clock::time_point(std::chrono::seconds(1300819380 + 60)))
                          .error(),
                      JoseError::expired);  // exp + default 60 s leeway
        }
    }
}

TEST(Rfc7519, Examples) {
    const auto before_exp = std::chrono::system_clock::time_point(std::chrono::seconds(1300819380 - 1));
    for (const auto& cv : jwt_vectors().at("cases").as_array()) {
        const auto& c = cv.as_object();
        const std::string id = str(c.at("id"));
        SCOPED_TRACE(id);
        const std::string token = str(c.at("jwt"));
        if (id == "rfc7519-3.1") {
            const JwkSet set = key_set(c);
            auto jws = parse_jws(token);
            ASSERT_TRUE(jws.ok());
            EXPECT_EQ(jws->header.typ, "JWT");
            EXPECT_TRUE(verify_jws(*jws, set).ok());
            JwtRules r;
            r.typ = "JWT";
            r.claims.issuer = "joe";
            EXPECT_EQ(verify_jwt(token, set, r, kNow).error(), JoseError::expired);
            EXPECT_TRUE(verify_jwt(token, set, r, before_exp).ok());
            r.claims.audiences = {"api"};  // the example has no aud
            EXPECT_EQ(verify_jwt(token, set, r, before_exp).error(), JoseError::wrong_audience);
        } else {
            EXPECT_EQ(parse_jws(token).error(),
                      JoseError::malformed);  // {"alg":"none"} with an empty signature
            EXPECT_FALSE(verify_jwt(token, JwkSet(), JwtRules{}, before_exp).ok());
        }
    }
}

}  // namespace
}  // namespace gk::jose
