// crypto::verify / crypto::sign for every JOSE algorithm: round trips, tampering,
// JOSE-only ECDSA encoding, r/s range checks (CVE-2022-21449), and the key
// confusions (wrong curve, public key as HMAC secret) that must never verify.
#include "gatekeeper/crypto/signature.hpp"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <map>
#include <string>
#include <vector>

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/crypto/key.hpp"
#include "../test_hex.hpp"

namespace gk::crypto {
namespace {

using gk::test::unhex;

// One generated key per algorithm family, shared by all tests (RSA generation is slow).
const Key& key_for(SigAlg alg) {
    static std::map<SigAlg, Key> keys;
    auto it = keys.find(alg);
    if (it != keys.end()) return it->second;
    Key k;
    switch (key_type_for(alg)) {
        case KeyType::oct:
            k = Key::generate_hmac(64);
            break;
        case KeyType::rsa: {
            static const Key rsa = Key::generate_rsa(2048);
            k = rsa;
            break;
        }
        case KeyType::ec:
            k = Key::generate_ec(curve_for(alg));
            break;
        case KeyType::ed25519:
            k = Key::generate_ed25519();
            break;
    }
    return keys.emplace(alg, k).first->second;
}

// A copy holding only the public half (through SPKI PEM); HMAC keys stay as they are.
Key public_only(const Key& k) {
    if (k.type() == KeyType::oct) return k;
    auto r = Key::from_pem(k.public_pem());
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : Key{};
}

struct AlgCase {
    SigAlg alg;
    const char* name;
    std::size_t sig_size;
};

const AlgCase kAlgs[] = {
    {SigAlg::hs256, "HS256", 32},  {SigAlg::hs384, "HS384", 48},  {SigAlg::hs512, "HS512", 64},
    {SigAlg::rs256, "RS256", 256}, {SigAlg::rs384, "RS384", 256}, {SigAlg::rs512, "RS512", 256},
    {SigAlg::ps256, "PS256", 256}, {SigAlg::ps384, "PS384", 256}, {SigAlg::ps512, "PS512", 256},
    {SigAlg::es256, "ES256", 64},  {SigAlg::es384, "ES384", 96},  {SigAlg::es512, "ES512", 132},
    {SigAlg::eddsa, "EdDSA", 64},
};

class EveryAlg : public ::testing::TestWithParam<AlgCase> {};

TEST_P(EveryAlg, NameRoundTrips) {
    EXPECT_STREQ(jose_name(GetParam().alg), GetParam().name);
    EXPECT_EQ(sig_alg_from_jose_name(GetParam().name), GetParam().alg);
}

TEST_P(EveryAlg, SignThenVerify) {
    const Key& key = key_for(GetParam().alg);
    const std::string data = "eyJhbGciOiJ4In0.eyJzdWIiOiJhbGljZSJ9";
    auto sig = sign(GetParam().alg, key, data);
    ASSERT_TRUE(sig.ok()) << to_string(sig.error());
    EXPECT_EQ(sig->size(), GetParam().sig_size);
    EXPECT_TRUE(verify(GetParam().alg, key, data, *sig));
    EXPECT_TRUE(verify(GetParam().alg, public_only(key), data, *sig));
    EXPECT_TRUE(verify(GetParam().alg, key, "", *sign(GetParam().alg, key, "")));
}

TEST_P(EveryAlg, TamperingFails) {
    const Key& key = key_for(GetParam().alg);
    const std::string data(300, 'd');
    const std::string sig = *sign(GetParam().alg, key, data);
    std::string other = data;
    other[150] ^= 1;
    EXPECT_FALSE(verify(GetParam().alg, key, other, sig)) << "changed data";
    EXPECT_FALSE(verify(GetParam().alg, key, data.substr(1), sig)) << "shorter data";
    for (std::size_t pos : {std::size_t{0}, sig.size() / 2, sig.size() - 1}) {
        std::string bad = sig;
        bad[pos] ^= 0x01;
        EXPECT_FALSE(verify(GetParam().alg, key, data, bad)) << "bit flip at " << pos;
    }
    EXPECT_FALSE(verify(GetParam().alg, key, data, sig.substr(0, sig.size() - 1))) << "truncated";
    EXPECT_FALSE(verify(GetParam().alg, key, data, sig + '\0')) << "extended";
    EXPECT_FALSE(verify(GetParam().alg, key, data, std::string(1, '\0') + sig)) << "zero-prefixed";
    EXPECT_FALSE(verify(GetParam().alg, key, data, "")) << "empty";
    EXPECT_FALSE(verify(GetParam().alg, key, data, std::string(sig.size(), '\0'))) << "all zero";
}

TEST_P(EveryAlg, EmptyKeyFitsNothing) {
    EXPECT_FALSE(key_fits(GetParam().alg, Key{}));
    EXPECT_FALSE(verify(GetParam().alg, Key{}, "x", std::string(GetParam().sig_size, 'a')));
    auto r = sign(GetParam().alg, Key{}, "x");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), SignError::key_mismatch);
}

TEST_P(EveryAlg, PublicKeyCannotSign) {
    if (key_type_for(GetParam().alg) == KeyType::oct) GTEST_SKIP() << "a secret is always 'private'";
    auto r = sign(GetParam().alg, public_only(key_for(GetParam().alg)), "x");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), SignError::no_private_key);
}

// A signature made for one algorithm never verifies as another, even with a key both accept.
TEST_P(EveryAlg, NoOtherAlgorithmAccepts) {
    const std::string data = "payload";
    const std::string sig = *sign(GetParam().alg, key_for(GetParam().alg), data);
    for (const auto& other : kAlgs) {
        if (other.alg == GetParam().alg) continue;
        EXPECT_FALSE(verify(other.alg, key_for(GetParam().alg), data, sig)) << other.name;
        EXPECT_FALSE(verify(other.alg, key_for(other.alg), data, sig)) << other.name;
    }
}

INSTANTIATE_TEST_SUITE_P(Algs, EveryAlg, ::testing::ValuesIn(kAlgs),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SigAlgNames, UnknownAndNoneRefused) {
    for (const char* n : {"none", "None", "NONE", "hs256", "Hs256", "HS256 ", " HS256", "ES256K", "EDDSA",
                          "Ed25519", "RS1", "", "HS2560"}) {
        EXPECT_FALSE(sig_alg_from_jose_name(n).has_value()) << '"' << n << '"';
    }
}

TEST(SigAlgNames, KeyTypesAndCurves) {
    EXPECT_EQ(key_type_for(SigAlg::hs384), KeyType::oct);
    EXPECT_EQ(key_type_for(SigAlg::ps512), KeyType::rsa);
    EXPECT_EQ(key_type_for(SigAlg::es512), KeyType::ec);
    EXPECT_EQ(key_type_for(SigAlg::eddsa), KeyType::ed25519);
    EXPECT_EQ(curve_for(SigAlg::es256), Curve::p256);
    EXPECT_EQ(curve_for(SigAlg::es384), Curve::p384);
    EXPECT_EQ(curve_for(SigAlg::es512), Curve::p521);  // ES512 is P-521, not a "P-512"
    EXPECT_EQ(curve_for(SigAlg::rs256), Curve::none);
}

// --- ECDSA encoding -------------------------------------------------------

// Order n of P-256 (FIPS 186-4 D.1.2.3).
const std::string kP256Order = unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

std::string to_der(std::string_view jose) {
    const std::size_t half = jose.size() / 2;
    ECDSA_SIG* s = ECDSA_SIG_new();
    ECDSA_SIG_set0(
        s, BN_bin2bn(reinterpret_cast<const unsigned char*>(jose.data()), static_cast<int>(half), nullptr),
        BN_bin2bn(reinterpret_cast<const unsigned char*>(jose.data() + half), static_cast<int>(half),
                  nullptr));
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(s, &der);
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    ECDSA_SIG_free(s);
    return out;
}

bool raw_verify(const Key& key, const EVP_MD* md, std::string_view data, std::string_view sig) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key.native()) == 1 &&
                    EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

TEST(Ecdsa, DerSignatureRejected) {
    for (SigAlg alg : {SigAlg::es256, SigAlg::es384, SigAlg::es512}) {
        const Key& key = key_for(alg);
        const std::string sig = *sign(alg, key, "data");
        const std::string der = to_der(sig);
        const EVP_MD* md = alg == SigAlg::es256   ? EVP_sha256()
                           : alg == SigAlg::es384 ? EVP_sha384()
                                                  : EVP_sha512();
        ASSERT_TRUE(raw_verify(key, md, "data", der)) << "the DER form is a valid OpenSSL signature";
        EXPECT_FALSE(verify(alg, key, "data", der)) << jose_name(alg);
    }
}

TEST(Ecdsa, JoseFormIsLeftPaddedFixedSize) {
    // About 1 in 256 signatures has an r or s with a leading zero byte; sign
    // until both have shown up, and check each still verifies at full length.
    const Key& key = key_for(SigAlg::es256);
    int short_r = 0, short_s = 0;
    for (int i = 0; i < 4000 && (short_r == 0 || short_s == 0); ++i) {
        const std::string data = "m" + std::to_string(i);
        const std::string sig = *sign(SigAlg::es256, key, data);
        ASSERT_EQ(sig.size(), 64u);
        if (sig[0] == '\0') ++short_r;
        if (sig[32] == '\0') ++short_s;
        if (sig[0] == '\0' || sig[32] == '\0') {
            ASSERT_TRUE(verify(SigAlg::es256, key, data, sig)) << i;
        }
    }
    EXPECT_GT(short_r, 0);
    EXPECT_GT(short_s, 0);
}

// CVE-2022-21449 ("psychic signatures"): r = 0 or s = 0 made every signature
// valid in Java 15-18. Values >= n must fail too (r and s live in [1, n-1]).
TEST(Ecdsa, OutOfRangeRAndSRejected) {
    const Key& key = key_for(SigAlg::es256);
    const std::string data = "data";
    const std::string sig = *sign(SigAlg::es256, key, data);
    ASSERT_TRUE(verify(SigAlg::es256, key, data, sig));
    const std::string r = sig.substr(0, 32), s = sig.substr(32);
    const std::string zero(32, '\0'), ff(32, '\xff');
    std::string n_minus_1 = kP256Order;
    n_minus_1.back() = static_cast<char>(n_minus_1.back() - 1);
    struct Case {
        const char* what;
        std::string sig;
    };
    const Case cases[] = {
        {"r=0, s=0", zero + zero}, {"r=0", zero + s},       {"s=0", r + zero},
        {"r=n", kP256Order + s},   {"s=n", r + kP256Order}, {"r=s=n", kP256Order + kP256Order},
        {"r=2^256-1", ff + s},     {"s=2^256-1", r + ff},   {"r=n-1", n_minus_1 + s},
    };
    for (const auto& c : cases) EXPECT_FALSE(verify(SigAlg::es256, key, data, c.sig)) << c.what;
}

TEST(Ecdsa, HighSIsAccepted) {
    // JWS does not require low-S (Wycheproof tcId 1 "signature malleability" is valid):
    // (r, n - s) verifies as well. Token bytes are therefore not a unique id.
    const Key& key = key_for(SigAlg::es256);
    const std::string sig = *sign(SigAlg::es256, key, "data");
    BIGNUM* n = BN_bin2bn(reinterpret_cast<const unsigned char*>(kP256Order.data()), 32, nullptr);
    BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data() + 32), 32, nullptr);
    BN_sub(s, n, s);
    std::string flipped = sig;
    BN_bn2binpad(s, reinterpret_cast<unsigned char*>(flipped.data() + 32), 32);
    BN_free(n);
    BN_free(s);
    EXPECT_NE(flipped, sig);
    EXPECT_TRUE(verify(SigAlg::es256, key, "data", flipped));
}

TEST(KeyFits, WrongCurveRejected) {
    const Key& p256 = key_for(SigAlg::es256);
    const Key& p384 = key_for(SigAlg::es384);
    const Key& p521 = key_for(SigAlg::es512);
    EXPECT_TRUE(key_fits(SigAlg::es256, p256));
    EXPECT_FALSE(key_fits(SigAlg::es384, p256));
    EXPECT_FALSE(key_fits(SigAlg::es512, p384));
    EXPECT_FALSE(key_fits(SigAlg::es256, p521));
    const std::string sig256 = *sign(SigAlg::es256, p256, "data");
    EXPECT_FALSE(verify(SigAlg::es256, p384, "data", sig256));
    EXPECT_FALSE(verify(SigAlg::es384, p256, "data", sig256));
    auto r = sign(SigAlg::es384, p256, "data");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), SignError::key_mismatch);
}

// The RS256 -> HS256 confusion: an attacker MACs a token with the server's
// public key (its PEM text or raw bytes) as the HMAC secret.
TEST(KeyFits, PublicKeyIsNeverAnHmacSecret) {
    for (SigAlg asym : {SigAlg::rs256, SigAlg::es256, SigAlg::eddsa}) {
        const Key key = public_only(key_for(asym));
        const std::string data = "eyJhbGciOiJIUzI1NiJ9.e30";
        for (SigAlg hs : {SigAlg::hs256, SigAlg::hs384, SigAlg::hs512}) {
            EXPECT_FALSE(key_fits(hs, key)) << jose_name(asym) << " key for " << jose_name(hs);
            const DigestAlg d = hs == SigAlg::hs256   ? DigestAlg::sha256
                                : hs == SigAlg::hs384 ? DigestAlg::sha384
                                                      : DigestAlg::sha512;
            EXPECT_FALSE(verify(hs, key, data, hmac(d, key.public_pem(), data)));
            EXPECT_FALSE(verify(hs, key, data, hmac(d, "", data)));
            auto r = sign(hs, key, data);
            ASSERT_FALSE(r.ok());
            EXPECT_EQ(r.error(), SignError::key_mismatch);
        }
    }
    // And an HMAC secret is never an asymmetric key.
    const Key secret = Key::hmac_secret(Secret(std::string(64, 'k')));
    for (SigAlg a : {SigAlg::rs256, SigAlg::ps256, SigAlg::es256, SigAlg::eddsa})
        EXPECT_FALSE(key_fits(a, secret));
}

TEST(KeyFits, RsaAndEd25519AreDistinct) {
    EXPECT_FALSE(key_fits(SigAlg::eddsa, key_for(SigAlg::rs256)));
    EXPECT_FALSE(key_fits(SigAlg::rs256, key_for(SigAlg::eddsa)));
    EXPECT_FALSE(key_fits(SigAlg::rs256, key_for(SigAlg::es256)));
    EXPECT_FALSE(key_fits(SigAlg::es256, key_for(SigAlg::ps256)));
}

TEST(KeyFits, ShortHmacSecretStillFitsButIsWeak) {
    // RFC 7518 section 3.2 wants >= hash-size keys; enforcing that is policy (JWK / config
    // loading), not verify(): Wycheproof's valid 128-bit-key vectors verify.
    const Key k = Key::hmac_secret(Secret(std::string(16, 'k')));
    EXPECT_TRUE(key_fits(SigAlg::hs256, k));
    EXPECT_TRUE(k.weak());
    EXPECT_FALSE(key_fits(SigAlg::hs256, Key::hmac_secret(Secret())));
}

// --- Known answers (RFC examples) ------------------------------------------

// RFC 7515 appendix A.1: HS256 over the JWS signing input.
TEST(KnownAnswer, Rfc7515A1Hs256) {
    const Key key =
        Key::hmac_secret(Secret(unhex("0323354b2b0fa5bc837e0665777ba68f5ab328e6f054c928a90f84b2d2502ebfd3fb5a"
                                      "92d20647ef968ab4c377623d223d2e2172052e"
                                      "4f08c0cd9af567d080a3")));
    const std::string input =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
        "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    const std::string tag = unhex("7418dfb49799e0254ffa607dd8adbbba16d4254d69d6bff05b58055853848d79");
    EXPECT_TRUE(verify(SigAlg::hs256, key, input, tag));
    EXPECT_EQ(*sign(SigAlg::hs256, key, input), tag);
    EXPECT_FALSE(verify(SigAlg::hs256, key, input, tag.substr(0, 16))) << "truncated tag";
    EXPECT_FALSE(verify(SigAlg::hs384, key, input, tag));
}

// RFC 8037 appendix A.4 (key of A.1, = RFC 8032 test 1): Ed25519 is deterministic.
TEST(KnownAnswer, Rfc8037A4EdDSA) {
    auto key =
        Key::ed25519(unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
                     Secret(unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")));
    ASSERT_TRUE(key.ok()) << to_string(key.error());
    const std::string input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
    const std::string sig = unhex(
        "860c98d2297f3060a33f42739672d61b53cf3adefed3d3c672f320dc021b411e9d59b8628dc351e248b88b29468e0e41855b"
        "0fb7d83b"
        "b15be902bfccb8cd0a02");
    EXPECT_EQ(*sign(SigAlg::eddsa, *key, input), sig);
    EXPECT_TRUE(verify(SigAlg::eddsa, *key, input, sig));
    EXPECT_TRUE(verify(SigAlg::eddsa, public_only(*key), input, sig));
}

TEST(Pss, SaltMustBeHashLength) {
    // A PSS signature with another salt length is valid RSASSA-PSS but not PS256.
    const Key& key = key_for(SigAlg::ps256);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    ASSERT_EQ(EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nullptr, key.native()), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 20);
    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256());
    std::string sig(256, '\0');
    std::size_t len = sig.size();
    ASSERT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                             reinterpret_cast<const unsigned char*>("data"), 4),
              1);
    EVP_MD_CTX_free(ctx);
    EXPECT_FALSE(verify(SigAlg::ps256, key, "data", sig));
}

}  // namespace
}  // namespace gk::crypto
