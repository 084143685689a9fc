// The TLS-ALPN-01 validation certificate, decoded back with OpenSSL: the
// critical acmeIdentifier extension (OID, DER OCTET STRING of the digest),
// the single dNSName, self-signed by its own fresh key.
#include "gatekeeper/acme/tls_alpn.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "gatekeeper/acme/request.hpp"

namespace gk::acme {
namespace {

struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};
struct ObjFree {
    void operator()(ASN1_OBJECT* p) const { ASN1_OBJECT_free(p); }
};
using Cert = std::unique_ptr<X509, X509Free>;

Cert decode(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    return Cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::string hex(std::string_view bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

const auto kNow = std::chrono::system_clock::from_time_t(1'800'000'000);

TEST(TlsAlpn, DigestIsSha256OfTheKeyAuthorization) {
    // FIPS 180-2 example: SHA-256("abc").
    EXPECT_EQ(hex(tls_alpn_digest("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TlsAlpn, CertificateCarriesTheCriticalAcmeIdentifier) {
    const auto account = crypto::Key::generate_ec(crypto::Curve::p256);
    const std::string ka = key_authorization("tok_ABCDEFGHIJKLMNOPQRSTUV", account);
    auto made = make_tls_alpn_certificate("gk.test", ka, kNow);
    ASSERT_TRUE(made.ok()) << made.error().message();
    Cert cert = decode(made->cert_der);
    ASSERT_NE(cert, nullptr);

    const std::unique_ptr<ASN1_OBJECT, ObjFree> oid_obj(OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1));
    const int at = X509_get_ext_by_OBJ(cert.get(), oid_obj.get(), -1);
    ASSERT_GE(at, 0) << "no id-pe-acmeIdentifier extension";
    X509_EXTENSION* ext = X509_get_ext(cert.get(), at);
    EXPECT_EQ(X509_EXTENSION_get_critical(ext), 1);
    char oid[64];
    OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(ext), 1);
    EXPECT_STREQ(oid, "1.3.6.1.5.5.7.1.31");
    // extnValue = DER of OCTET STRING (SIZE (32)): tag 0x04, length 0x20, the digest.
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(ext);
    const std::string bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                            static_cast<std::size_t>(ASN1_STRING_length(value)));
    unsigned char expected[32];
    unsigned int n = 0;
    ASSERT_EQ(EVP_Digest(ka.data(), ka.size(), expected, &n, EVP_sha256(), nullptr), 1);
    ASSERT_EQ(bytes.size(), 34u);
    EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x04);
    EXPECT_EQ(static_cast<unsigned char>(bytes[1]), 0x20);
    EXPECT_EQ(bytes.substr(2), std::string(reinterpret_cast<const char*>(expected), 32));
    // Only one critical extension: a validator that knows it must still parse the rest.
    EXPECT_EQ(X509_get_ext_by_critical(cert.get(), 1, at), -1);
}

TEST(TlsAlpn, CertificateNamesTheIdentifierOnlyAndIsSelfSignedByAFreshKey) {
    const auto account = crypto::Key::generate_ec(crypto::Curve::p256);
    auto made =
        make_tls_alpn_certificate("gk.test", key_authorization("tok_ABCDEFGHIJKLMNOPQRSTUV", account), kNow);
    ASSERT_TRUE(made.ok()) << made.error().message();
    Cert cert = decode(made->cert_der);
    ASSERT_NE(cert, nullptr);
    auto* names =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
    ASSERT_NE(names, nullptr);
    ASSERT_EQ(sk_GENERAL_NAME_num(names), 1);
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, 0);
    ASSERT_EQ(gn->type, GEN_DNS);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                          static_cast<std::size_t>(ASN1_STRING_length(gn->d.dNSName))),
              "gk.test");
    GENERAL_NAMES_free(names);

    EXPECT_EQ(X509_check_private_key(cert.get(), made->key.native()), 1);
    EXPECT_EQ(X509_verify(cert.get(), made->key.native()), 1);
    EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
    EXPECT_NE(EVP_PKEY_eq(made->key.native(), account.native()), 1);  // never the account key
    time_t t = std::chrono::system_clock::to_time_t(kNow);
    EXPECT_LT(X509_cmp_time(X509_get0_notBefore(cert.get()), &t), 0);
    EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert.get()), &t), 0);

    // Each challenge gets its own key.
    auto again = make_tls_alpn_certificate("gk.test", "x.y", kNow);
    ASSERT_TRUE(again.ok());
    EXPECT_NE(EVP_PKEY_eq(made->key.native(), again->key.native()), 1);
}

TEST(TlsAlpn, RefusesAnEmptyIdentifier) { EXPECT_FALSE(make_tls_alpn_certificate("", "x.y", kNow).ok()); }

}  // namespace
}  // namespace gk::acme
