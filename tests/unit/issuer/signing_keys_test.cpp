#include "gatekeeper/issuer/signing_keys.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>

#include "gatekeeper/jose/jwt.hpp"

namespace gk::issuer {
namespace {

constexpr std::int64_t kT = 1'700'000'000;

SigningKey make(crypto::SigAlg alg, std::int64_t signs_from, std::int64_t retire_at = 0) {
    auto k = create_signing_key(alg, signs_from, signs_from);
    EXPECT_TRUE(k.ok());
    k->retire_at = retire_at;
    return *k;
}

bool verifies(const KeyRing& ring, const std::string& token) {
    jose::JwtRules rules;
    rules.typ = "at+jwt";
    return jose::verify_jwt(token, ring.verification_keys(), rules,
                            std::chrono::system_clock::time_point(std::chrono::seconds(kT)))
        .ok();
}

class KeyRingAlg : public ::testing::TestWithParam<crypto::SigAlg> {};

TEST_P(KeyRingAlg, CreatesSignsAndPublishesPublicPartsOnly) {
    const auto alg = GetParam();
    SigningKey k = make(alg, kT - 10);
    EXPECT_EQ(k.alg, crypto::jose_name(alg));
    auto parsed = jose::parse_jwk(k.private_jwk);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(k.kid, jose::thumbprint(*parsed));  // RFC 7638 kid
    EXPECT_TRUE(parsed->key.has_private());

    auto ring = KeyRing::build({k}, kT);
    ASSERT_TRUE(ring.ok()) << ring.error().message;
    EXPECT_EQ(ring->signer_kid(), k.kid);
    EXPECT_EQ(ring->signer_alg(), alg);

    auto jwks = boost::json::parse(ring->jwks_json()).as_object();
    const auto& keys = jwks.at("keys").as_array();
    ASSERT_EQ(keys.size(), 1u);
    const auto& jwk = keys[0].as_object();
    EXPECT_EQ(jwk.at("kid").as_string(), k.kid);
    EXPECT_EQ(jwk.at("use").as_string(), "sig");
    EXPECT_EQ(jwk.at("alg").as_string(), k.alg);
    for (const char* priv : {"d", "p", "q", "dp", "dq", "qi", "k"}) EXPECT_FALSE(jwk.contains(priv)) << priv;
    auto pub = jose::parse_jwks(ring->jwks_json());
    ASSERT_TRUE(pub.ok());
    EXPECT_EQ(pub->private_keys, 0u);

    auto token = ring->sign(R"({"exp":1800000000})", "at+jwt");
    ASSERT_TRUE(token.ok());
    EXPECT_TRUE(verifies(*ring, *token));
}

INSTANTIATE_TEST_SUITE_P(Algs, KeyRingAlg,
                         ::testing::Values(crypto::SigAlg::es256, crypto::SigAlg::eddsa,
                                           crypto::SigAlg::rs256));

TEST(KeyRing, RefusesUnsupportedAlgorithms) {
    EXPECT_FALSE(create_signing_key(crypto::SigAlg::hs256, kT, kT).ok());
    EXPECT_FALSE(create_signing_key(crypto::SigAlg::es384, kT, kT).ok());
}

TEST(KeyRing, EmptyOrAllRetiredOrNotYetSigningIsAnError) {
    EXPECT_FALSE(KeyRing::build({}, kT).ok());
    EXPECT_FALSE(KeyRing::build({make(crypto::SigAlg::es256, kT - 100, kT)}, kT).ok());  // retire_at == now
    EXPECT_FALSE(KeyRing::build({make(crypto::SigAlg::es256, kT + 1)}, kT).ok());
}

TEST(KeyRing, CorruptPublishedKeyIsAnErrorButRetiredOneIsIgnored) {
    SigningKey good = make(crypto::SigAlg::es256, kT - 100);
    SigningKey bad = make(crypto::SigAlg::es256, kT - 200);
    bad.private_jwk = R"({"kty":"EC"})";
    EXPECT_FALSE(KeyRing::build({good, bad}, kT).ok());
    bad.retire_at = kT - 1;
    EXPECT_TRUE(KeyRing::build({good, bad}, kT).ok());
}

TEST(KeyRing, AlgMismatchOrPublicOnlyKeyIsAnError) {
    SigningKey k = make(crypto::SigAlg::es256, kT - 100);
    SigningKey wrong = k;
    wrong.alg = "EdDSA";
    EXPECT_FALSE(KeyRing::build({wrong}, kT).ok());
    SigningKey pub = k;
    auto jwk = jose::parse_jwk(k.private_jwk);
    ASSERT_TRUE(jwk.ok());
    pub.private_jwk = jose::to_json(*jwk, false);
    EXPECT_FALSE(KeyRing::build({pub}, kT).ok());
}

TEST(KeyRing, NewestActiveKeySignsAndAllPublishedVerify) {
    SigningKey old_key = make(crypto::SigAlg::es256, kT - 1000);
    SigningKey newer = make(crypto::SigAlg::eddsa, kT - 10);
    SigningKey pending = make(crypto::SigAlg::rs256, kT + 500);
    auto ring = KeyRing::build({old_key, newer, pending}, kT);
    ASSERT_TRUE(ring.ok());
    EXPECT_EQ(ring->signer_kid(), newer.kid);
    EXPECT_EQ(ring->verification_keys().keys().size(), 3u);  // pending is published already

    auto old_ring = KeyRing::build({old_key}, kT);
    ASSERT_TRUE(old_ring.ok());
    auto token = old_ring->sign(R"({"exp":1800000000})", "at+jwt");
    ASSERT_TRUE(token.ok());
    EXPECT_TRUE(verifies(*ring, *token));
}

TEST(KeyRing, RotationPublishesBeforeSigningAndRetiresAfterTwoOverlaps) {
    const std::int64_t overlap = 3600;
    SigningKey current = make(crypto::SigAlg::es256, kT - 5000);
    SigningKey already_retiring = make(crypto::SigAlg::es256, kT - 9000, kT + 100);
    auto plan = plan_rotation({already_retiring, current}, crypto::SigAlg::eddsa, kT, overlap);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->new_key.alg, "EdDSA");
    EXPECT_EQ(plan->new_key.signs_from, kT + overlap);
    EXPECT_EQ(plan->new_key.created_at, kT);
    ASSERT_EQ(plan->retire.size(), 1u);  // only keys without a retire date
    EXPECT_EQ(plan->retire[0].first, current.kid);
    EXPECT_EQ(plan->retire[0].second, kT + 2 * overlap);

    current.retire_at = plan->retire[0].second;
    const std::vector<SigningKey> after{already_retiring, current, plan->new_key};
    // Right after: the old key still signs, the new one is published.
    auto r0 = KeyRing::build(after, kT);
    ASSERT_TRUE(r0.ok());
    EXPECT_EQ(r0->signer_kid(), current.kid);
    EXPECT_TRUE(r0->verification_keys().has_kid(plan->new_key.kid));
    // After one overlap: the new key signs, the old one still verifies.
    auto r1 = KeyRing::build(after, kT + overlap);
    ASSERT_TRUE(r1.ok());
    EXPECT_EQ(r1->signer_kid(), plan->new_key.kid);
    EXPECT_TRUE(r1->verification_keys().has_kid(current.kid));
    // After two overlaps: the old key is gone from the JWKS.
    auto r2 = KeyRing::build(after, kT + 2 * overlap);
    ASSERT_TRUE(r2.ok());
    EXPECT_FALSE(r2->verification_keys().has_kid(current.kid));
    EXPECT_EQ(r2->jwks_json().find(current.kid), std::string::npos);
}

TEST(KeyRing, FirstKeySignsAtOnce) {
    auto plan = plan_rotation({}, crypto::SigAlg::es256, kT, 3600);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->new_key.signs_from, kT);
    EXPECT_TRUE(plan->retire.empty());
    EXPECT_TRUE(KeyRing::build({plan->new_key}, kT).ok());
    EXPECT_FALSE(plan_rotation({}, crypto::SigAlg::es256, kT, -1).ok());
}

}  // namespace
}  // namespace gk::issuer
