// crypto::Key: building from JWK components (and refusing bad ones), PEM in
// and out (SPKI, PKCS#8, traditional, certificate), component round trips.
// PEM fixtures are made here with the OpenSSL API, not committed.
#include "gatekeeper/crypto/key.hpp"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "gatekeeper/crypto/signature.hpp"

namespace gk::crypto {
namespace {

using PkeyOwner = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

PkeyOwner raw_keygen(const char* type, const char* group_or_null, std::size_t bits = 0) {
    EVP_PKEY* k = group_or_null != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, group_or_null)
                  : bits != 0              ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, bits)
                                           : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
    return PkeyOwner(k, EVP_PKEY_free);
}

template <class Write>
std::string pem_of(Write write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    return out;
}

std::string spki_pem(EVP_PKEY* k) {
    return pem_of([&](BIO* b) { PEM_write_bio_PUBKEY(b, k); });
}
std::string pkcs8_pem(EVP_PKEY* k) {
    return pem_of([&](BIO* b) { PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr); });
}
// "-----BEGIN RSA PRIVATE KEY-----" / "EC PRIVATE KEY": the pre-PKCS#8 formats.
std::string traditional_pem(EVP_PKEY* k) {
    return pem_of(
        [&](BIO* b) { PEM_write_bio_PrivateKey_traditional(b, k, nullptr, nullptr, 0, nullptr, nullptr); });
}

// A self-signed certificate around `k` (signed by `k` itself).
std::string certificate_pem(EVP_PKEY* k) {
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("gk test"),
                               -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_set_pubkey(cert, k);
    const bool ed = EVP_PKEY_is_a(k, "ED25519");
    EXPECT_GT(X509_sign(cert, k, ed ? nullptr : EVP_sha256()), 0);
    std::string pem = pem_of([&](BIO* b) { PEM_write_bio_X509(b, cert); });
    X509_free(cert);
    return pem;
}

// --- names -----------------------------------------------------------------

TEST(KeyNames, CurvesAndTypes) {
    struct Row {
        Curve c;
        const char* name;
        std::size_t size;
    };
    for (const Row& r : {Row{Curve::none, "", 0}, Row{Curve::p256, "P-256", 32},
                         Row{Curve::p384, "P-384", 48}, Row{Curve::p521, "P-521", 66}}) {
        EXPECT_STREQ(to_string(r.c), r.name);
        EXPECT_EQ(coordinate_size(r.c), r.size);
    }
    EXPECT_STREQ(to_string(KeyType::rsa), "RSA");
    EXPECT_STREQ(to_string(KeyType::ec), "EC");
    EXPECT_STREQ(to_string(KeyType::oct), "oct");
    EXPECT_STRNE(to_string(KeyError::point_not_on_curve), "");
}

TEST(KeyBasics, EmptyAndSecret) {
    const Key empty;
    EXPECT_FALSE(empty.valid());
    EXPECT_FALSE(empty.has_private());
    EXPECT_EQ(empty.public_pem(), "");
    const Key secret = Key::hmac_secret(Secret(std::string(32, 's')));
    EXPECT_TRUE(secret.valid());
    EXPECT_EQ(secret.type(), KeyType::oct);
    EXPECT_EQ(secret.bits(), 256);
    EXPECT_FALSE(secret.weak());
    EXPECT_TRUE(Key::hmac_secret(Secret(std::string(31, 's'))).weak());
    EXPECT_EQ(secret.native(), nullptr);
    EXPECT_EQ(secret.public_pem(), "");
    EXPECT_EQ(Key::generate_hmac(48).secret().size(), 48u);
}

TEST(KeyGenerate, ParametersRefusedByException) {
    EXPECT_THROW(Key::generate_rsa(1024), std::invalid_argument);
    EXPECT_THROW(Key::generate_ec(Curve::none), std::invalid_argument);
    EXPECT_THROW(Key::generate_hmac(0), std::invalid_argument);
}

TEST(KeyGenerate, ShapesAreRight) {
    const Key ed = Key::generate_ed25519();
    EXPECT_EQ(ed.type(), KeyType::ed25519);
    EXPECT_EQ(ed.bits(), 256);
    EXPECT_TRUE(ed.has_private());
    for (Curve c : {Curve::p256, Curve::p384, Curve::p521}) {
        const Key k = Key::generate_ec(c);
        EXPECT_EQ(k.type(), KeyType::ec);
        EXPECT_EQ(k.curve(), c);
        EXPECT_EQ(static_cast<std::size_t>(k.bits() + 7) / 8, coordinate_size(c));
        const Key copy = k;  // copies share the EVP_PKEY
        EXPECT_EQ(copy.native(), k.native());
    }
}

// --- JWK components: round trips -------------------------------------------------

const Key& rsa_key() {
    static const Key k = Key::generate_rsa(2048);
    return k;
}

TEST(KeyComponents, RsaRoundTrip) {
    const Key& k = rsa_key();
    EXPECT_EQ(k.bits(), 2048);
    const RsaComponents pub = k.rsa_components();
    EXPECT_EQ(pub.n.size(), 256u);
    EXPECT_EQ(pub.e, std::string("\x01\x00\x01", 3));
    EXPECT_TRUE(pub.d.empty() && pub.p.empty() && pub.qi.empty());

    auto rebuilt_pub = Key::rsa(pub);
    ASSERT_TRUE(rebuilt_pub.ok()) << to_string(rebuilt_pub.error());
    EXPECT_FALSE(rebuilt_pub->has_private());
    EXPECT_EQ(rebuilt_pub->public_pem(), k.public_pem());

    const RsaComponents priv = k.rsa_components(true);
    ASSERT_FALSE(priv.d.empty());
    auto rebuilt = Key::rsa(priv);
    ASSERT_TRUE(rebuilt.ok()) << to_string(rebuilt.error());
    EXPECT_TRUE(rebuilt->has_private());
    EXPECT_EQ(rebuilt->public_pem(), k.public_pem());
    const std::string sig = *sign(SigAlg::rs256, *rebuilt, "x");
    EXPECT_TRUE(verify(SigAlg::rs256, k, "x", sig));
}

TEST(KeyComponents, RsaLeadingZeroOctetTolerated) {
    RsaComponents c = rsa_key().rsa_components();
    c.n.insert(0, 1, '\0');
    auto k = Key::rsa(c);
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(k->public_pem(), rsa_key().public_pem());
}

class EcCurves : public ::testing::TestWithParam<Curve> {};

TEST_P(EcCurves, PointRoundTrip) {
    const Key k = Key::generate_ec(GetParam());
    const std::size_t n = coordinate_size(GetParam());
    const Key::Point pub = k.point();
    EXPECT_EQ(pub.x.size(), n);
    EXPECT_EQ(pub.y.size(), n);
    EXPECT_TRUE(pub.d.empty());
    auto rebuilt_pub = Key::ec(GetParam(), pub.x, pub.y);
    ASSERT_TRUE(rebuilt_pub.ok()) << to_string(rebuilt_pub.error());
    EXPECT_FALSE(rebuilt_pub->has_private());
    EXPECT_EQ(rebuilt_pub->public_pem(), k.public_pem());
    EXPECT_EQ(rebuilt_pub->curve(), GetParam());

    const Key::Point priv = k.point(true);
    ASSERT_EQ(priv.d.size(), n);
    auto rebuilt = Key::ec(GetParam(), priv.x, priv.y, priv.d);
    ASSERT_TRUE(rebuilt.ok()) << to_string(rebuilt.error());
    EXPECT_TRUE(rebuilt->has_private());
    EXPECT_EQ(rebuilt->public_pem(), k.public_pem());
    EXPECT_EQ(rebuilt->private_pem().reveal(), k.private_pem().reveal());
}

TEST_P(EcCurves, BadComponentsRefused) {
    const Curve c = GetParam();
    const Key k = Key::generate_ec(c);
    const Key::Point p = k.point(true);
    const std::size_t n = coordinate_size(c);
    struct Case {
        const char* what;
        std::string x, y;
        Secret d;
        KeyError expect;
    };
    std::string y_off = p.y;
    y_off.back() ^= 1;
    const Key other = Key::generate_ec(c);
    const Case cases[] = {
        {"empty x", "", p.y, {}, KeyError::bad_component},
        {"empty y", p.x, "", {}, KeyError::bad_component},
        {"short x", p.x.substr(1), p.y, {}, KeyError::bad_component},
        {"long y", p.x, '\0' + p.y, {}, KeyError::bad_component},
        {"short d", p.x, p.y, Secret(p.d.reveal().substr(1)), KeyError::bad_component},
        {"y off the curve", p.x, y_off, {}, KeyError::point_not_on_curve},
        {"y off the curve, with d", p.x, y_off, Secret(p.d.reveal()), KeyError::point_not_on_curve},
        {"(0, 0)", std::string(n, '\0'), std::string(n, '\0'), {}, KeyError::point_not_on_curve},
        {"coordinates >= p",
         std::string(n, '\xff'),
         std::string(n, '\xff'),
         {},
         KeyError::point_not_on_curve},
        {"d of another key", p.x, p.y, other.point(true).d, KeyError::inconsistent},
        {"d = 0", p.x, p.y, Secret(std::string(n, '\0')), KeyError::bad_component},
    };
    for (const Case& t : cases) {
        auto r = Key::ec(c, t.x, t.y, t.d);
        ASSERT_FALSE(r.ok()) << t.what;
        EXPECT_EQ(r.error(), t.expect) << t.what << ": " << to_string(r.error());
    }
    EXPECT_EQ(Key::ec(Curve::none, p.x, p.y).error(), KeyError::unsupported);
    // A P-256 point presented as P-384 coordinates is the wrong size for P-384.
    if (c == Curve::p256) {
        EXPECT_EQ(Key::ec(Curve::p384, p.x, p.y).error(), KeyError::bad_component);
    }
}

INSTANTIATE_TEST_SUITE_P(Curves, EcCurves, ::testing::Values(Curve::p256, Curve::p384, Curve::p521),
                         [](const auto& info) { return std::string(to_string(info.param)).erase(1, 1); });

TEST(KeyComponents, Ed25519RoundTrip) {
    const Key k = Key::generate_ed25519();
    const Key::Point priv = k.point(true);
    ASSERT_EQ(priv.x.size(), 32u);
    ASSERT_EQ(priv.d.size(), 32u);
    EXPECT_TRUE(priv.y.empty());
    auto pub = Key::ed25519(priv.x);
    ASSERT_TRUE(pub.ok());
    EXPECT_FALSE(pub->has_private());
    EXPECT_EQ(pub->public_pem(), k.public_pem());
    auto full = Key::ed25519(priv.x, priv.d);
    ASSERT_TRUE(full.ok());
    EXPECT_TRUE(full->has_private());
    EXPECT_EQ(full->private_pem().reveal(), k.private_pem().reveal());
}

TEST(KeyComponents, Ed25519BadComponentsRefused) {
    const Key::Point p = Key::generate_ed25519().point(true);
    const Key::Point other = Key::generate_ed25519().point(true);
    EXPECT_EQ(Key::ed25519("").error(), KeyError::bad_component);
    EXPECT_EQ(Key::ed25519(p.x.substr(1)).error(), KeyError::bad_component);
    EXPECT_EQ(Key::ed25519(p.x + 'x').error(), KeyError::bad_component);
    EXPECT_EQ(Key::ed25519(p.x, Secret(p.d.reveal().substr(1))).error(), KeyError::bad_component);
    EXPECT_EQ(Key::ed25519(p.x, other.d).error(), KeyError::inconsistent);
}

TEST(KeyComponents, RsaBadComponentsRefused) {
    const RsaComponents good = rsa_key().rsa_components(true);
    const RsaComponents other = Key::generate_rsa(2048).rsa_components(true);
    struct Case {
        const char* what;
        RsaComponents c;
        KeyError expect;
    };
    auto with = [&](auto change) {
        RsaComponents c = good;
        change(c);
        return c;
    };
    const Case cases[] = {
        {"empty n", with([](RsaComponents& c) { c.n.clear(); }), KeyError::bad_component},
        {"empty e", with([](RsaComponents& c) { c.e.clear(); }), KeyError::bad_component},
        {"zero n", with([](RsaComponents& c) { c.n = std::string(256, '\0'); }), KeyError::bad_component},
        {"even e", with([](RsaComponents& c) { c.e = std::string("\x01\x00\x00", 3); }),
         KeyError::bad_component},
        {"e = 1", with([](RsaComponents& c) { c.e = "\x01"; }), KeyError::bad_component},
        {"even n", with([](RsaComponents& c) { c.n.back() = static_cast<char>(c.n.back() & ~1); }),
         KeyError::bad_component},
        {"d alone", with([](RsaComponents& c) {
             c.p.clear();
             c.q.clear();
             c.dp.clear();
             c.dq.clear();
             c.qi.clear();
         }),
         KeyError::bad_component},
        {"no qi", with([](RsaComponents& c) { c.qi.clear(); }), KeyError::bad_component},
        {"1024-bit n", with([](RsaComponents& c) {
             c.n = c.n.substr(128);
             c.n.back() |= 1;
         }),
         KeyError::weak},
        {"d of another key", with([&](RsaComponents& c) { c.d = other.d; }), KeyError::inconsistent},
        {"p and q of another key", with([&](RsaComponents& c) {
             c.p = other.p;
             c.q = other.q;
         }),
         KeyError::inconsistent},
    };
    for (const Case& t : cases) {
        RsaComponents c = t.c;
        if (t.expect == KeyError::weak)
            c.d.clear(), c.p.clear(), c.q.clear(), c.dp.clear(), c.dq.clear(), c.qi.clear();
        auto r = Key::rsa(c);
        ASSERT_FALSE(r.ok()) << t.what;
        EXPECT_EQ(r.error(), t.expect) << t.what << ": " << to_string(r.error());
    }
}

// --- PEM ---------------------------------------------------------------------

struct PemKind {
    const char* name;
    const char* type;
    const char* group;
    KeyType expect_type;
    Curve expect_curve;
};

class PemImport : public ::testing::TestWithParam<PemKind> {
protected:
    void SetUp() override {
        pkey_ = raw_keygen(GetParam().type, GetParam().group,
                           GetParam().group == nullptr && std::string(GetParam().type) == "RSA" ? 2048 : 0);
        ASSERT_NE(pkey_, nullptr);
    }
    void expect_key(const std::string& pem, bool priv) {
        auto k = Key::from_pem(pem);
        ASSERT_TRUE(k.ok()) << to_string(k.error()) << "\n" << pem.substr(0, 40);
        EXPECT_EQ(k->type(), GetParam().expect_type);
        EXPECT_EQ(k->curve(), GetParam().expect_curve);
        EXPECT_EQ(k->has_private(), priv);
        EXPECT_EQ(k->public_pem(), spki_pem(pkey_.get()));
        if (priv) {
            EXPECT_EQ(k->private_pem().reveal(), pkcs8_pem(pkey_.get()));
        }
    }
    PkeyOwner pkey_{nullptr, EVP_PKEY_free};
};

TEST_P(PemImport, Spki) { expect_key(spki_pem(pkey_.get()), false); }
TEST_P(PemImport, Pkcs8) { expect_key(pkcs8_pem(pkey_.get()), true); }
TEST_P(PemImport, Certificate) { expect_key(certificate_pem(pkey_.get()), false); }
TEST_P(PemImport, Traditional) {
    if (GetParam().expect_type == KeyType::ed25519) GTEST_SKIP() << "Ed25519 has no traditional format";
    const std::string pem = traditional_pem(pkey_.get());
    EXPECT_EQ(pem.find("-----BEGIN PRIVATE KEY"), std::string::npos);
    expect_key(pem, true);
}
TEST_P(PemImport, SurroundingTextAndOtherBlocksIgnored) {
    expect_key("comment line\n" + spki_pem(pkey_.get()) + "trailing\n", false);
    expect_key(certificate_pem(pkey_.get()) + spki_pem(raw_keygen("ED25519", nullptr).get()), false);
}

INSTANTIATE_TEST_SUITE_P(Kinds, PemImport,
                         ::testing::Values(PemKind{"RSA", "RSA", nullptr, KeyType::rsa, Curve::none},
                                           PemKind{"P256", "EC", "P-256", KeyType::ec, Curve::p256},
                                           PemKind{"P384", "EC", "P-384", KeyType::ec, Curve::p384},
                                           PemKind{"P521", "EC", "P-521", KeyType::ec, Curve::p521},
                                           PemKind{"Ed25519", "ED25519", nullptr, KeyType::ed25519,
                                                   Curve::none}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(PemImportRefusals, Table) {
    const auto rsa1024 = raw_keygen("RSA", nullptr, 1024);
    const auto k256 = raw_keygen("EC", "secp256k1");
    const auto x25519 = raw_keygen("X25519", nullptr);
    const auto ed448 = raw_keygen("ED448", nullptr);
    const auto p256 = raw_keygen("EC", "P-256");
    std::string encrypted = pem_of([&](BIO* b) {
        PEM_write_bio_PKCS8PrivateKey(b, p256.get(), EVP_aes_128_cbc(), nullptr, 0, nullptr,
                                      const_cast<char*>("pass"));
    });
    std::string corrupted = spki_pem(p256.get());
    corrupted[40] = corrupted[40] == 'A' ? 'B' : 'A';
    std::string truncated = spki_pem(p256.get());
    truncated.resize(truncated.size() / 2);
    struct Case {
        const char* what;
        std::string pem;
        KeyError expect;
    };
    const Case cases[] = {
        {"empty", "", KeyError::bad_pem},
        {"no PEM", "hello", KeyError::bad_pem},
        {"truncated", truncated, KeyError::bad_pem},
        {"corrupted base64 body", corrupted, KeyError::bad_pem},
        {"encrypted PKCS#8", encrypted, KeyError::unsupported},
        {"RSA 1024 SPKI", spki_pem(rsa1024.get()), KeyError::weak},
        {"RSA 1024 certificate", certificate_pem(rsa1024.get()), KeyError::weak},
        {"secp256k1", spki_pem(k256.get()), KeyError::unsupported},
        {"X25519", spki_pem(x25519.get()), KeyError::unsupported},
        {"Ed448", pkcs8_pem(ed448.get()), KeyError::unsupported},
    };
    for (const Case& t : cases) {
        auto r = Key::from_pem(t.pem);
        ASSERT_FALSE(r.ok()) << t.what;
        EXPECT_EQ(r.error(), t.expect) << t.what << ": " << to_string(r.error());
    }
}

TEST(PemImport, ExplicitParametersOfANamedCurve) {
    // An SPKI spelling out the P-256 parameters instead of the named-curve OID.
    // OpenSSL matches parameters equal to a named curve (all of p, a, b, G, n, h)
    // back to that name, so this is just P-256; parameters that match no named
    // curve (e.g. another generator, CVE-2020-0601) have no group name and are refused.
    const auto p256 = raw_keygen("EC", "P-256");
    PkeyOwner copy(EVP_PKEY_dup(p256.get()), EVP_PKEY_free);
    ASSERT_NE(copy, nullptr);
    ASSERT_EQ(EVP_PKEY_set_utf8_string_param(copy.get(), "encoding", "explicit"), 1);
    const std::string pem = spki_pem(copy.get());
    ASSERT_GT(pem.size(), spki_pem(p256.get()).size() + 100) << "parameters are spelled out";
    auto r = Key::from_pem(pem);
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(r->curve(), Curve::p256);
    EXPECT_EQ(r->point().x, Key::from_pem(spki_pem(p256.get()))->point().x);
}

TEST(PemExport, PrivatePemOnlyWithPrivateKey) {
    const Key k = Key::generate_ec(Curve::p256);
    const std::string priv(k.private_pem().reveal());
    EXPECT_EQ(priv.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
    EXPECT_EQ(k.public_pem().rfind("-----BEGIN PUBLIC KEY-----", 0), 0u);
    auto pub = Key::from_pem(k.public_pem());
    ASSERT_TRUE(pub.ok());
    EXPECT_TRUE(pub->private_pem().empty());
    auto back = Key::from_pem(priv);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->point(true).d.reveal(), k.point(true).d.reveal());
}

}  // namespace
}  // namespace gk::crypto
