// The attack catalog (SECURITY.md section 2.1, jwt_tool's playbook as data):
// one test per attack, each token built byte by byte, all through the same
// verify_jwt call the gate makes.
#include <gtest/gtest.h>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;

class Attack : public ::testing::Test {
protected:
    // The issuer's published keys: an RSA key, an EC key, an HMAC secret.
    const Jwk rsa = public_of(make_jwk(keys().rsa, "rsa-1"));
    const Jwk ec = public_of(make_jwk(keys().p256, "ec-1"));
    const Jwk hmac = make_jwk(keys().hs32, "hs-1");
    const JwkSet issuer{{rsa, ec, hmac}};
    const JwtRules rules = default_rules();
    const std::string claims = json::serialize(good_claims());

    Result<Claims, JoseError> check(const std::string& token) const {
        return verify_jwt(token, issuer, rules, kNow);
    }
    void expect(const std::string& token, JoseError e) const {
        auto r = check(token);
        ASSERT_FALSE(r.ok()) << "accepted: " << token;
        EXPECT_EQ(r.error(), e) << to_string(r.error());
    }
    std::string legit_es256(std::string_view header = R"({"alg":"ES256","kid":"ec-1"})") const {
        return sign_raw(SigAlg::es256, keys().p256, header, claims);
    }
};

std::string hex_bytes(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

// The last part replaced (signature octets given raw).
std::string with_signature(const std::string& token, std::string_view sig) {
    return token.substr(0, token.rfind('.') + 1) + b64(sig);
}

TEST_F(Attack, Baseline) { EXPECT_TRUE(check(legit_es256()).ok()); }

TEST_F(Attack, AlgNoneInAnyCase) {
    for (const char* alg : {"none", "None", "NONE", "nOnE", "\\u006eone"}) {
        SCOPED_TRACE(alg);
        const std::string header = std::string(R"({"alg":")") + alg + R"(","kid":"hs-1"})";
        const std::string unsigned_token = b64(header) + "." + b64(claims) + ".";
        expect(unsigned_token, JoseError::malformed);  // empty signature part
        expect(unsigned_token + b64("anything"), JoseError::alg_none);
        // Even a MAC that would verify with a real key does not help.
        expect(hs256_with_bytes(header, claims, keys().hs32.secret().reveal()), JoseError::alg_none);
    }
}

TEST_F(Attack, Rs256ToHs256KeyConfusion) {
    // CVE-2016-10555 class: HMAC keyed with the issuer's public RSA key bytes.
    const std::string pem = keys().rsa.public_pem();
    std::string pem_no_nl = pem;  // jwt_tool -X k uses the PEM text with its trailing newline; try both
    while (!pem_no_nl.empty() && pem_no_nl.back() == '\n') pem_no_nl.pop_back();
    std::string body;
    for (std::size_t i = pem.find('\n') + 1; i < pem.rfind("-----END"); ++i) {
        if (pem[i] != '\n') body.push_back(pem[i]);
    }
    const std::string der = httpauth::base64_decode(body).value();
    const std::string n = keys().rsa.rsa_components().n;
    const std::string jwk_json = to_json(rsa);
    for (const std::string* secret :
         std::initializer_list<const std::string*>{&pem, &pem_no_nl, &der, &n, &jwk_json}) {
        for (const char* header : {R"({"alg":"HS256","kid":"rsa-1"})", R"({"alg":"HS256"})"}) {
            SCOPED_TRACE(std::string(header) + " secret of " + std::to_string(secret->size()) + " bytes");
            const std::string forged = hs256_with_bytes(header, claims, *secret);
            // Well-formed: an oct key with those bytes would accept it...
            const JwkSet as_secret({make_jwk(crypto::Key::hmac_secret(Secret(*secret)), "rsa-1")});
            EXPECT_TRUE(verify_jwt(forged, as_secret, rules, kNow).ok());
            // ...but the RSA key decides: it never serves HS256. The token's
            // own alg cannot turn it into an HMAC secret.
            const JwkSet only_rsa({rsa});
            auto r = verify_jwt(forged, only_rsa, rules, kNow);
            ASSERT_FALSE(r.ok());
            EXPECT_EQ(r.error(), JoseError::no_key);
            // Against the whole set, the (different) HMAC key is tried and fails.
            EXPECT_FALSE(check(forged).ok());
        }
    }
}

TEST_F(Attack, Es256ToHs256KeyConfusion) {
    const auto p = keys().p256.point();
    const std::string point = std::string(1, '\x04') + p.x + p.y;
    const std::string pem = keys().p256.public_pem();
    const JwkSet only_ec({ec});
    for (const std::string* secret : std::initializer_list<const std::string*>{&point, &pem}) {
        const std::string forged = hs256_with_bytes(R"({"alg":"HS256","kid":"ec-1"})", claims, *secret);
        EXPECT_EQ(verify_jwt(forged, only_ec, rules, kNow).error(), JoseError::no_key);
    }
}

TEST_F(Attack, KidPathTraversalAndInjection) {
    // jwt_tool playbook: the kid never touches a filesystem or database; an
    // unknown kid simply has no key.
    for (const char* kid :
         {"../../etc/passwd", "../../../../../../dev/null", "/dev/null", "/invalid_path", "' OR 1=1 --",
          "x' UNION SELECT '1';--", "|sleep 10", "| curl http://x", "HS-1", " hs-1"}) {
        SCOPED_TRACE(kid);
        const std::string header = json::serialize(json::object{{"alg", "HS256"}, {"kid", kid}});
        for (std::string_view key :
             {std::string_view(""), std::string_view("1"), std::string_view("secret")}) {
            expect(hs256_with_bytes(header, claims, key), JoseError::no_key);
        }
    }
    // A NUL inside the kid is not a terminator.
    const std::string header =
        json::serialize(json::object{{"alg", "HS256"}, {"kid", test::bytes("hs-1\0x")}});
    expect(hs256_with_bytes(header, claims, keys().hs32.secret().reveal()), JoseError::no_key);
}

TEST_F(Attack, HeaderKeyReferencesAreIgnored) {
    // jku / x5u / embedded jwk / x5c pointing at the attacker's key (CVE-2018-0114,
    // jwt_tool -X s / -X i): keys come only from the issuer's set.
    const std::string attacker_jwk = to_json(public_of(make_jwk(keys().attacker_p256, "ec-1")));
    const std::string attacker_rsa = to_json(public_of(make_jwk(keys().attacker_rsa, "rsa-1")));
    struct Case {
        std::string header;
        SigAlg alg;
        const crypto::Key* key;
        JoseError error;
    };
    const Case cases[] = {
        {R"({"alg":"ES256","kid":"ec-1","jwk":)" + attacker_jwk + "}", SigAlg::es256, &keys().attacker_p256,
         JoseError::bad_signature},
        {R"({"alg":"ES256","jwk":)" + attacker_jwk + "}", SigAlg::es256, &keys().attacker_p256,
         JoseError::bad_signature},
        {R"({"alg":"RS256","kid":"rsa-1","jwk":)" + attacker_rsa + "}", SigAlg::rs256, &keys().attacker_rsa,
         JoseError::bad_signature},
        {R"({"alg":"ES256","kid":"attacker","jku":"https://attacker.example/jwks.json"})", SigAlg::es256,
         &keys().attacker_p256, JoseError::no_key},
        {R"({"alg":"ES256","kid":"ec-1","jku":"https://attacker.example/jwks.json"})", SigAlg::es256,
         &keys().attacker_p256, JoseError::bad_signature},
        {R"({"alg":"RS256","x5u":"http://169.254.169.254/latest/meta-data/"})", SigAlg::rs256,
         &keys().attacker_rsa, JoseError::bad_signature},
        {R"({"alg":"RS256","kid":"rsa-1","x5c":["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]})",
         SigAlg::rs256, &keys().attacker_rsa, JoseError::bad_signature},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.header);
        expect(sign_raw(c.alg, *c.key, c.header, claims), c.error);
    }
}

TEST_F(Attack, UnknownCritEvenWhenValidlySigned) {
    expect(legit_es256(R"({"alg":"ES256","kid":"ec-1","crit":["http://example.invalid/UNDEFINED"],)"
                       R"("http://example.invalid/UNDEFINED":true})"),
           JoseError::crit_unsupported);
    expect(legit_es256(R"({"alg":"ES256","kid":"ec-1","b64":false,"crit":["b64"]})"),
           JoseError::crit_unsupported);
    expect(legit_es256(R"({"alg":"ES256","kid":"ec-1","crit":[]})"), JoseError::crit_unsupported);
    expect(legit_es256(R"({"alg":"ES256","kid":"ec-1","crit":["alg"]})"), JoseError::crit_unsupported);
    // RFC 7515 Appendix E's header, verbatim.
    const std::string appendix_e =
        "eyJhbGciOiJFUzI1NiIsImNyaXQiOlsiaHR0cDovL2V4YW1wbGUuaW52YWxpZC9VTkRFRklORUQiXSwiaHR0cDovL2V4YW1wbGUu"
        "aW52Y"
        "WxpZC9VTkRFRklORUQiOnRydWV9";
    expect(appendix_e + "." + b64(claims) + "." + b64(std::string(64, 'x')), JoseError::crit_unsupported);
}

TEST_F(Attack, EcdsaScalarsOutOfRange) {
    // P-256 group order n and field prime p (SEC 2).
    const std::string n = hex_bytes("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    const std::string p = hex_bytes("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
    const std::string zero(32, '\0');
    std::string one = zero;
    one.back() = 1;
    const std::string token = legit_es256();
    const std::string sig = unb64(token.substr(token.rfind('.') + 1));
    ASSERT_EQ(sig.size(), 64u);
    const std::string r = sig.substr(0, 32), s = sig.substr(32);
    struct Case {
        const char* name;
        std::string sig;
    };
    const Case cases[] = {
        {"psychic_r_s_zero (CVE-2022-21449)", zero + zero},
        {"r_zero", zero + s},
        {"s_zero", r + zero},
        {"r_n", n + s},
        {"s_n", r + n},
        {"r_p", p + s},
        {"r_s_n", n + n},
        {"r_one_s_one", one + one},
        {"r_all_ff", std::string(32, '\xff') + s},
        {"too_short", sig.substr(0, 63)},
        {"too_long", sig + '\0'},
        {"leading_zero_padded", std::string(1, '\0') + r + std::string(1, '\0') + s},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        expect(with_signature(token, c.sig), JoseError::bad_signature);
    }
}

TEST_F(Attack, EcdsaHighSIsValid) {
    // Not an attack: JWS does not require low-S (Wycheproof P1363 tcId 1), so
    // signature bytes are no unique token identifier. s' = n - s verifies.
    const std::string n = hex_bytes("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    const std::string token = legit_es256();
    const std::string sig = unb64(token.substr(token.rfind('.') + 1));
    std::string s2(32, '\0');
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
        int d = static_cast<unsigned char>(n[i]) - static_cast<unsigned char>(sig[32 + i]) - borrow;
        borrow = d < 0;
        s2[i] = static_cast<char>(d + (borrow ? 256 : 0));
    }
    EXPECT_TRUE(check(with_signature(token, sig.substr(0, 32) + s2)).ok());
}

std::string der_integer(std::string v) {
    while (v.size() > 1 && v[0] == '\0' && !(static_cast<unsigned char>(v[1]) & 0x80)) v.erase(0, 1);
    if (static_cast<unsigned char>(v[0]) & 0x80) v.insert(0, 1, '\0');
    return std::string{'\x02', static_cast<char>(v.size())} + v;
}

TEST_F(Attack, DerEncodedEcdsaSignature) {
    const std::string token = legit_es256();
    const std::string sig = unb64(token.substr(token.rfind('.') + 1));
    const std::string body = der_integer(sig.substr(0, 32)) + der_integer(sig.substr(32));
    const std::string der = std::string{'\x30', static_cast<char>(body.size())} + body;
    expect(with_signature(token, der), JoseError::bad_signature);
    expect(token.substr(0, token.rfind('.') + 1) + "MAYCAQACAQA", JoseError::bad_signature);  // SEQUENCE{0,0}
}

TEST_F(Attack, TimeClaimsAroundTheLeeway) {
    const std::int64_t t = kNowSeconds;
    struct Case {
        const char* name;
        const char* claim;
        std::int64_t value;
        std::optional<JoseError> error;
    };
    const Case cases[] = {
        {"expired_beyond_leeway", "exp", t - 61, JoseError::expired},
        {"expired_within_leeway", "exp", t - 59, std::nullopt},
        {"nbf_beyond_leeway", "nbf", t + 61, JoseError::not_yet_valid},
        {"nbf_within_leeway", "nbf", t + 60, std::nullopt},
        {"iat_future_beyond_leeway", "iat", t + 61, JoseError::issued_in_future},
        {"iat_future_within_leeway", "iat", t + 60, std::nullopt},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto o = good_claims();
        o[c.claim] = c.value;
        auto r = check(
            sign_raw(SigAlg::es256, keys().p256, R"({"alg":"ES256","kid":"ec-1"})", json::serialize(o)));
        if (c.error) {
            ASSERT_FALSE(r.ok());
            EXPECT_EQ(r.error(), *c.error);
        } else {
            EXPECT_TRUE(r.ok()) << to_string(r.error());
        }
    }
    // No exp at all: refused even though every other check passes.
    auto o = good_claims();
    o.erase("exp");
    expect(sign_raw(SigAlg::es256, keys().p256, R"({"alg":"ES256","kid":"ec-1"})", json::serialize(o)),
           JoseError::missing_claim);
    // Type confusion (SECURITY.md row 26).
    for (const char* bad : {R"("4102444800")", "null", "true", "[4102444800]", "1e30"}) {
        const std::string payload =
            R"({"iss":"https://issuer.example","aud":"api","exp":)" + std::string(bad) + "}";
        expect(sign_raw(SigAlg::es256, keys().p256, R"({"alg":"ES256","kid":"ec-1"})", payload),
               JoseError::bad_claim);
    }
    // 1e400 is not even a number gatekeeper's JSON parser accepts.
    expect(sign_raw(SigAlg::es256, keys().p256, R"({"alg":"ES256","kid":"ec-1"})",
                    R"({"iss":"https://issuer.example","aud":"api","exp":1e400})"),
           JoseError::bad_json);
}

TEST_F(Attack, WrongAudienceAndIssuer) {
    auto token_with = [&](const char* name, json::value v) {
        auto o = good_claims();
        o[name] = std::move(v);
        return sign_raw(SigAlg::es256, keys().p256, R"({"alg":"ES256","kid":"ec-1"})", json::serialize(o));
    };
    expect(token_with("aud", "other-service"), JoseError::wrong_audience);
    expect(token_with("aud", json::array{}), JoseError::wrong_audience);
    expect(token_with("aud", json::array{"other", "api "}), JoseError::wrong_audience);
    expect(token_with("aud", "API"), JoseError::wrong_audience);
    expect(token_with("aud", json::object{{"x", 1}}), JoseError::bad_claim);
    EXPECT_TRUE(check(token_with("aud", json::array{"other", "api"})).ok());  // any-of, not all-of
    expect(token_with("iss", "https://issuer.example/"), JoseError::wrong_issuer);
    expect(token_with("iss", "HTTPS://issuer.example"), JoseError::wrong_issuer);
    expect(token_with("iss", 1), JoseError::bad_claim);
}

TEST_F(Attack, NestedJwtRefused) {
    const std::string inner = legit_es256();
    expect(sign_raw(SigAlg::hs256, keys().hs32, R"({"alg":"HS256","kid":"hs-1","cty":"JWT"})", inner),
           JoseError::nested_jwt);
    expect(sign_raw(SigAlg::es256, keys().p256, R"({"alg":"ES256","kid":"ec-1","cty":"jwt"})", inner),
           JoseError::nested_jwt);
    expect(b64(R"({"alg":"none","cty":"JWT"})") + "." + b64(inner) + "." + b64("x"), JoseError::alg_none);
    // Without cty, the inner token is just a payload that is not JSON.
    expect(sign_raw(SigAlg::es256, keys().p256, R"({"alg":"ES256","kid":"ec-1"})", inner),
           JoseError::bad_json);
}

TEST_F(Attack, DuplicateMembers) {
    // SECURITY.md row 32, validly signed: {"sub":"alice","sub":"admin","aud":"gatekeeper","exp":4102444800}
    const std::string dup_claims =
        unb64("eyJzdWIiOiJhbGljZSIsInN1YiI6ImFkbWluIiwiYXVkIjoiZ2F0ZWtlZXBlciIsImV4cCI6NDEwMjQ0NDgwMH0");
    ASSERT_EQ(dup_claims, R"({"sub":"alice","sub":"admin","aud":"gatekeeper","exp":4102444800})");
    expect(sign_raw(SigAlg::es256, keys().p256, R"({"alg":"ES256","kid":"ec-1"})", dup_claims),
           JoseError::duplicate_member);
    // Row 31: {"alg":"HS256","alg":"none"} and the reverse order with a valid MAC.
    ASSERT_EQ(unb64("eyJhbGciOiJIUzI1NiIsImFsZyI6Im5vbmUifQ"), R"({"alg":"HS256","alg":"none"})");
    expect("eyJhbGciOiJIUzI1NiIsImFsZyI6Im5vbmUifQ." + b64(claims) + "." + b64("x"),
           JoseError::duplicate_member);
    expect(hs256_with_bytes(R"({"alg":"none","alg":"HS256","kid":"hs-1"})", claims,
                            keys().hs32.secret().reveal()),
           JoseError::duplicate_member);
    expect(
        hs256_with_bytes(R"({"alg":"HS256","kid":"hs-1","kid":"x"})", claims, keys().hs32.secret().reveal()),
        JoseError::duplicate_member);
}

TEST_F(Attack, NonCanonicalBase64Url) {
    // RFC 7515 A.1 token and key: "=" padding, and the last character k -> l
    // (same 32 bytes in a lax decoder; unused bits non-zero).
    const std::string a1 =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxl"
        "LmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const JwkSet set(
        {parse_jwk(
             R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})")
             .value()});
    ASSERT_TRUE(verify_jws(parse_jws(a1).value(), set).ok());
    EXPECT_EQ(parse_jws(a1 + "=").error(), JoseError::bad_base64);
    std::string bits = a1;
    bits.back() = 'l';
    EXPECT_EQ(parse_jws(bits).error(), JoseError::bad_base64);
    const std::string legit = legit_es256();
    expect(legit + "=", JoseError::bad_base64);
    std::string padded_header = legit;
    padded_header.insert(legit.find('.'), "=");
    expect(padded_header, JoseError::bad_base64);
    for (const char* junk : {"+", "/", " ", "\r\n", "%3D"}) {
        std::string t = legit;
        t.insert(t.size() - 2, junk);
        expect(t, JoseError::bad_base64);
    }
}

TEST_F(Attack, HugeToken) {
    expect(std::string(100 * 1024, 'A'), JoseError::too_large);
    auto o = good_claims();
    o["pad"] = std::string(100 * 1024, 'x');
    expect(sign_raw(SigAlg::es256, keys().p256, R"({"alg":"ES256","kid":"ec-1"})", json::serialize(o)),
           JoseError::too_large);
    // Deep JSON inside the limit: refused by the depth cap, not by the stack.
    std::string deep = R"({"a":)" + std::string(2000, '[') + std::string(2000, ']') + "}";
    expect(sign_raw(SigAlg::es256, keys().p256, R"({"alg":"ES256","kid":"ec-1"})", deep),
           JoseError::bad_json);
}

TEST_F(Attack, EmptySignatureAndWrongPartCount) {
    const std::string legit = legit_es256();
    const std::string no_sig = legit.substr(0, legit.rfind('.') + 1);
    expect(no_sig, JoseError::malformed);  // CVE-2020-28042
    expect(legit + ".", JoseError::malformed);
    expect(legit + "." + b64("x"), JoseError::malformed);
    expect(b64(R"({"alg":"dir","enc":"A256GCM"})") + "..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
           JoseError::malformed);  // JWE
    expect(json::serialize(json::object{
               {"protected", b64(R"({"alg":"ES256"})")}, {"payload", b64(claims)}, {"signature", b64("x")}}),
           JoseError::malformed);  // JSON serialization
}

TEST_F(Attack, AlgorithmKeyBinding) {
    // SECURITY.md row 40: a key pinned to RS256 refuses PS256 and RS512
    // signatures it could compute; use "enc" and key_ops "encrypt" refuse all.
    const JwkSet pinned({public_of(make_jwk(keys().rsa, "rsa-1", SigAlg::rs256))});
    for (SigAlg a : {SigAlg::ps256, SigAlg::rs512}) {
        const std::string t = sign_jws(a, keys().rsa, claims, {.kid = "rsa-1", .typ = {}}).value();
        EXPECT_EQ(verify_jwt(t, pinned, rules, kNow).error(), JoseError::no_key);
    }
    Jwk enc = rsa;
    enc.use = "enc";
    Jwk wrap = rsa;
    wrap.key_ops = {"encrypt"};
    const std::string rs = sign_jws(SigAlg::rs256, keys().rsa, claims, {.kid = "rsa-1", .typ = {}}).value();
    EXPECT_EQ(verify_jwt(rs, JwkSet({enc}), rules, kNow).error(), JoseError::no_key);
    EXPECT_EQ(verify_jwt(rs, JwkSet({wrap}), rules, kNow).error(), JoseError::no_key);
    EXPECT_TRUE(verify_jwt(rs, JwkSet({rsa}), rules, kNow).ok());
}

TEST_F(Attack, BlankAndCommonHmacSecrets) {
    for (std::string_view secret :
         {std::string_view(""), std::string_view("secret"), std::string_view("1")}) {
        expect(hs256_with_bytes(R"({"alg":"HS256","kid":"hs-1"})", claims, secret), JoseError::bad_signature);
    }
    // And such secrets cannot even be configured.
    EXPECT_EQ(parse_jwk(R"({"kty":"oct","k":"c2VjcmV0"})").error(), JoseError::bad_key);
}

TEST_F(Attack, CrossIssuerKey) {
    // A token from issuer B (signed by B's key) checked against issuer A's set.
    const std::string t =
        sign_jws(SigAlg::es256, keys().attacker_p256, claims, {.kid = "ec-1", .typ = {}}).value();
    expect(t, JoseError::bad_signature);
}

}  // namespace
}  // namespace gk::jose
