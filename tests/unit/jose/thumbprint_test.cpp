// RFC 7638 thumbprints: the RFC's own example, RFC 8037 A.3, and the members
// that must not change it.
#include <gtest/gtest.h>

#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using namespace test;

TEST(Thumbprint, Rfc7638Example) {
    const auto v = load_vectors("rfc/rfc7638_thumbprint.json");
    for (const auto& c : v.at("cases").as_array()) {
        SCOPED_TRACE(std::string(c.at("id").as_string()));
        auto jwk = parse_jwk(json::serialize(c.at("jwk")));
        ASSERT_TRUE(jwk.ok()) << to_string(jwk.error());
        EXPECT_EQ(jwk->kid, "2011-04-29");
        EXPECT_EQ(thumbprint(*jwk), c.at("thumbprint_b64url").as_string());
        // The digest is over the canonical JSON the RFC prints.
        const auto& canonical = c.at("canonical_json").as_string();
        EXPECT_EQ(thumbprint(*jwk), b64(crypto::digest(crypto::DigestAlg::sha256, canonical)));
    }
}

struct PrintCase {
    const char* name;
    const char* jwk;
    const char* thumbprint;
};

TEST(Thumbprint, OtherKeyTypes) {
    const PrintCase cases[] = {
        // RFC 8037 appendix A.3.
        {"ed25519_rfc8037",
         R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})",
         "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"},
        // Computed with Python hashlib over {"crv","kty","x","y"} of the RFC 7515 A.3 key.
        {"p256_rfc7515_a3",
         R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
         R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"x","use":"sig","alg":"ES256"})",
         "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U"},
        // Computed with Python hashlib over {"k","kty"} of the RFC 7515 A.1 key.
        {"oct_rfc7515_a1",
         R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})",
         "y_x3gCJnL6oKGBBIXScabduwxTVy2Wd2bzRVEUbdUzc"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto jwk = parse_jwk(c.jwk);
        ASSERT_TRUE(jwk.ok()) << to_string(jwk.error());
        EXPECT_EQ(thumbprint(*jwk), c.thumbprint);
    }
}

TEST(Thumbprint, IgnoresOptionalMembersAndPrivateParts) {
    const auto& k = keys();
    for (const auto* key : {&k.rsa, &k.p256, &k.p521, &k.ed, &k.hs32}) {
        Jwk a = make_jwk(*key);
        Jwk b = make_jwk(*key, "some-kid", std::nullopt);
        b.use = "sig";
        EXPECT_EQ(thumbprint(a), thumbprint(b));
        if (key->type() != crypto::KeyType::oct) {
            EXPECT_EQ(thumbprint(a), thumbprint(public_of(a)));
        }
        EXPECT_EQ(thumbprint(a).size(), 43u);
    }
    EXPECT_NE(thumbprint(make_jwk(k.rsa)), thumbprint(make_jwk(k.rsa2)));
}

}  // namespace
}  // namespace gk::jose
