// parse_jwks, JwkSet::candidates / has_kid and JWK(S) serialization.
#include <gtest/gtest.h>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;

json::object pub(const crypto::Key& k, const char* kid) {
    auto o = json::parse(to_json(make_jwk(k, kid), false)).as_object();
    return o;
}

std::string set_of(std::initializer_list<json::value> keys) {
    json::array a;
    for (const auto& k : keys) a.push_back(k);
    json::object o;
    o["keys"] = std::move(a);
    return json::serialize(o);
}

TEST(ParseJwks, StructureErrors) {
    EXPECT_EQ(parse_jwks("").error(), JoseError::bad_json);
    EXPECT_EQ(parse_jwks("[]").error(), JoseError::bad_json);
    EXPECT_EQ(parse_jwks("{}").error(), JoseError::bad_json);
    EXPECT_EQ(parse_jwks(R"({"keys":{}})").error(), JoseError::bad_json);
    EXPECT_EQ(parse_jwks(R"({"keys":"x"})").error(), JoseError::bad_json);
    EXPECT_EQ(parse_jwks(R"({"keys":[],"keys":[]})").error(), JoseError::duplicate_member);
    // A duplicate member inside one key refuses the whole document: the set
    // is one JSON text and its parse is strict.
    EXPECT_EQ(parse_jwks(R"({"keys":[{"kty":"oct","kty":"oct","k":"AAAA"}]})").error(),
              JoseError::duplicate_member);
}

TEST(ParseJwks, EmptySet) {
    auto r = parse_jwks(R"({"keys":[]})");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->set.empty());
    EXPECT_EQ(r->skipped, 0u);
}

TEST(ParseJwks, UnusableKeysAreSkippedAndCounted) {
    const auto& k = keys();
    auto enc = pub(k.rsa2, "enc");
    enc["use"] = "enc";
    auto wrap = pub(k.p384, "wrap");
    wrap["key_ops"] = json::array{"encrypt", "wrapKey"};
    auto oaep = pub(k.rsa2, "oaep");
    oaep["alg"] = "RSA-OAEP";
    auto padded = pub(k.p256, "padded");
    padded["x"] = std::string(padded["x"].as_string()) + "=";
    const std::string text =
        set_of({pub(k.rsa, "good-rsa"), enc, wrap, oaep, padded, 42, "str",
                json::object{{"kty", "DSA"}, {"kid", "dsa"}},
                json::object{{"kty", "OKP"}, {"crv", "X25519"}, {"x", b64(std::string(32, 'x'))}},
                pub(k.ed, "good-ed")});
    auto r = parse_jwks(text);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->set.keys().size(), 2u);
    EXPECT_EQ(r->set.keys()[0].kid, "good-rsa");
    EXPECT_EQ(r->set.keys()[1].kid, "good-ed");
    EXPECT_EQ(r->skipped, 8u);
    EXPECT_EQ(r->private_keys, 0u);
}

TEST(ParseJwks, PrivateMaterialIsCounted) {
    const auto& k = keys();
    auto priv = json::parse(to_json(make_jwk(k.p256, "ec-private"), true)).as_object();
    ASSERT_TRUE(priv.contains("d"));
    auto secret = json::parse(to_json(make_jwk(k.hs32, "hmac"), true)).as_object();
    auto r = parse_jwks(set_of({pub(k.rsa, "rsa"), priv, secret}));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->set.keys().size(), 3u);
    EXPECT_EQ(r->private_keys, 2u);
}

TEST(ParseJwks, DuplicateKidKeepsBoth) {
    const auto& k = keys();
    auto r = parse_jwks(set_of({pub(k.p256, "same"), pub(k.attacker_p256, "same")}));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->set.keys().size(), 2u);
    EXPECT_EQ(r->set.candidates("same", SigAlg::es256).size(), 2u);
}

TEST(Candidates, ByKidThenByAlgorithm) {
    const auto& k = keys();
    Jwk no_kid = make_jwk(k.rsa2);  // e.g. configured from a PEM file
    Jwk pinned = make_jwk(k.rsa, "pinned", SigAlg::rs256);
    const JwkSet set({make_jwk(k.rsa, "rsa"), pinned, make_jwk(k.p256, "ec"), make_jwk(k.p384, "ec384"),
                      no_kid, make_jwk(k.hs32, "hmac")});
    auto kids = [](const std::vector<const Jwk*>& v) {
        std::vector<std::string> out;
        for (const auto* j : v) out.push_back(j->kid.empty() ? "<none>" : j->kid);
        return out;
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(kids(set.candidates("rsa", SigAlg::rs256)), (V{"rsa", "<none>"}));
    EXPECT_EQ(kids(set.candidates("rsa", SigAlg::ps256)), (V{"rsa", "<none>"}));
    EXPECT_EQ(kids(set.candidates("pinned", SigAlg::rs256)), (V{"pinned", "<none>"}));
    EXPECT_EQ(kids(set.candidates("pinned", SigAlg::ps256)), (V{"<none>"}));
    EXPECT_EQ(kids(set.candidates("ec", SigAlg::es256)), (V{"ec"}));
    EXPECT_EQ(kids(set.candidates("ec", SigAlg::es384)), (V{}));
    EXPECT_EQ(kids(set.candidates("EC", SigAlg::es256)), (V{}));  // kid is case-sensitive
    EXPECT_EQ(kids(set.candidates("ec ", SigAlg::es256)), (V{}));
    EXPECT_EQ(kids(set.candidates("", SigAlg::es384)), (V{"ec384"}));
    EXPECT_EQ(kids(set.candidates("", SigAlg::rs256)), (V{"rsa", "pinned", "<none>"}));
    EXPECT_EQ(kids(set.candidates("hmac", SigAlg::hs256)), (V{"hmac"}));
    EXPECT_EQ(kids(set.candidates("rsa", SigAlg::hs256)), (V{}));  // an RSA key is never an HMAC secret
    EXPECT_EQ(kids(set.candidates("../../etc/passwd", SigAlg::es256)), (V{}));
}

TEST(Candidates, HasKid) {
    const auto& k = keys();
    const JwkSet set({make_jwk(k.rsa, "a"), make_jwk(k.p256)});
    EXPECT_TRUE(set.has_kid("a"));
    EXPECT_FALSE(set.has_kid("A"));
    EXPECT_FALSE(set.has_kid("b"));
    EXPECT_TRUE(set.has_kid(""));  // the key without kid
    EXPECT_FALSE(JwkSet().has_kid(""));
}

TEST(ToJson, PublicMembersOnlyByDefault) {
    const auto& k = keys();
    Jwk rsa = make_jwk(k.rsa, "r1", SigAlg::ps256);
    rsa.use = "sig";
    rsa.key_ops = {"verify"};
    auto o = json::parse(to_json(rsa)).as_object();
    std::vector<std::string> names;
    for (const auto& m : o) names.emplace_back(m.key());
    EXPECT_EQ(names, (std::vector<std::string>{"kty", "n", "e", "kid", "use", "key_ops", "alg"}));
    EXPECT_EQ(o["kty"], "RSA");
    EXPECT_EQ(o["alg"], "PS256");

    auto full = json::parse(to_json(rsa, true)).as_object();
    for (auto m : {"d", "p", "q", "dp", "dq", "qi"}) EXPECT_TRUE(full.contains(m)) << m;

    const std::string ec_pub = to_json(make_jwk(k.p384));
    EXPECT_EQ(json::parse(ec_pub).at("crv"), "P-384");
    EXPECT_EQ(ec_pub.find("\"d\""), std::string::npos);
    EXPECT_NE(to_json(make_jwk(k.p384), true).find("\"d\""), std::string::npos);

    auto ed = json::parse(to_json(make_jwk(k.ed), true)).as_object();
    EXPECT_EQ(ed["kty"], "OKP");
    EXPECT_EQ(ed["crv"], "Ed25519");
    EXPECT_TRUE(ed.contains("d"));

    // An oct key is all secret: nothing but kty (and kid...) unless asked.
    auto secret = json::parse(to_json(make_jwk(k.hs32, "h"))).as_object();
    EXPECT_FALSE(secret.contains("k"));
    EXPECT_EQ(unb64(json::parse(to_json(make_jwk(k.hs32, "h"), true)).at("k").as_string()),
              k.hs32.secret().reveal());
}

TEST(ToJson, KidIsEscaped) {
    auto text = to_json(make_jwk(keys().p256, "a\"b\\c\n"));
    EXPECT_EQ(parse_jwk(text)->kid, "a\"b\\c\n");
}

TEST(ToJson, SetRoundTrip) {
    const auto& k = keys();
    const JwkSet set({make_jwk(k.rsa, "r", SigAlg::rs256), make_jwk(k.p256, "e"), make_jwk(k.p521, "e5"),
                      make_jwk(k.ed, "ed", SigAlg::eddsa)});
    const std::string text = to_json(set);
    EXPECT_EQ(text.find("\"d\""), std::string::npos);
    auto back = parse_jwks(text);
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(back->set.keys().size(), set.keys().size());
    EXPECT_EQ(back->skipped, 0u);
    EXPECT_EQ(back->private_keys, 0u);
    for (std::size_t i = 0; i < set.keys().size(); ++i) {
        EXPECT_EQ(thumbprint(back->set.keys()[i]), thumbprint(set.keys()[i]));
        EXPECT_EQ(back->set.keys()[i].kid, set.keys()[i].kid);
        EXPECT_EQ(back->set.keys()[i].alg, set.keys()[i].alg);
    }
    // Private round trip: the private keys sign, the public set verifies.
    auto priv = parse_jwks(to_json(set, true));
    ASSERT_TRUE(priv.ok());
    EXPECT_EQ(priv->private_keys, 4u);
    auto token = sign_jws(SigAlg::es512, priv->set.keys()[2].key, "{}", {.kid = "e5", .typ = {}});
    ASSERT_TRUE(token.ok());
    EXPECT_TRUE(verify_jws(*parse_jws(*token), back->set).ok());
}

}  // namespace
}  // namespace gk::jose
