// The TLS-ALPN-01 validation certificate (RFC 8737 section 3).
#include "gatekeeper/acme/tls_alpn.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "gatekeeper/crypto/crypto.hpp"

namespace gk::acme {
namespace {

struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};
struct ObjFree {
    void operator()(ASN1_OBJECT* p) const { ASN1_OBJECT_free(p); }
};
struct OctetsFree {
    void operator()(ASN1_OCTET_STRING* p) const { ASN1_OCTET_STRING_free(p); }
};
struct ExtFree {
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct NamesFree {
    void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
struct BnFree {
    void operator()(BIGNUM* p) const { BN_free(p); }
};

AcmeError alpn_error(std::string what) {
    return AcmeError{"protocol", "tls-alpn-01 certificate: " + std::move(what), 0, {}};
}

// subjectAltName with the one dNSName.
std::unique_ptr<X509_EXTENSION, ExtFree> san_extension(std::string_view identifier) {
    std::unique_ptr<GENERAL_NAMES, NamesFree> names(sk_GENERAL_NAME_new_null());
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    if (!names || !gn || !ia5 ||
        ASN1_STRING_set(ia5, identifier.data(), static_cast<int>(identifier.size())) != 1) {
        GENERAL_NAME_free(gn);
        ASN1_IA5STRING_free(ia5);
        return nullptr;
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    if (sk_GENERAL_NAME_push(names.get(), gn) <= 0) {
        GENERAL_NAME_free(gn);
        return nullptr;
    }
    return std::unique_ptr<X509_EXTENSION, ExtFree>(X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get()));
}

// Section 3: critical, and its extnValue is the DER of `Authorization ::= OCTET STRING (SIZE (32))`,
// so the extension's OCTET STRING wraps a second one.
std::unique_ptr<X509_EXTENSION, ExtFree> acme_identifier_extension(const std::string& digest) {
    std::unique_ptr<ASN1_OBJECT, ObjFree> oid(OBJ_txt2obj(kAcmeIdentifierOid, 1));
    std::unique_ptr<ASN1_OCTET_STRING, OctetsFree> value(ASN1_OCTET_STRING_new());
    std::string der{'\x04', static_cast<char>(digest.size())};
    der += digest;
    if (!oid || !value ||
        ASN1_OCTET_STRING_set(value.get(), reinterpret_cast<const unsigned char*>(der.data()),
                              static_cast<int>(der.size())) != 1)
        return nullptr;
    return std::unique_ptr<X509_EXTENSION, ExtFree>(
        X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 1, value.get()));
}

}  // namespace

std::string tls_alpn_digest(std::string_view key_authorization) {
    return crypto::digest(crypto::DigestAlg::sha256, key_authorization);
}

Result<TlsAlpnCertificate, AcmeError> make_tls_alpn_certificate(std::string_view identifier,
                                                                std::string_view key_authorization,
                                                                std::chrono::system_clock::time_point now) {
    if (identifier.empty() || identifier.size() > 253) return fail(alpn_error("bad identifier"));
    const std::string digest = tls_alpn_digest(key_authorization);
    if (digest.size() != 32) return fail(alpn_error("SHA-256 failed"));
    TlsAlpnCertificate out;
    try {
        out.key = crypto::Key::generate_ec(crypto::Curve::p256);  // fresh: the CA sees nothing else of ours
    } catch (const std::exception&) {
        return fail(alpn_error("key generation failed"));
    }
    std::unique_ptr<X509, X509Free> cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1) return fail(alpn_error("X509_new failed"));
    std::string serial = crypto::random_bytes(16);
    serial[0] = static_cast<char>(serial[0] & 0x7f);
    std::unique_ptr<BIGNUM, BnFree> bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()),
                                                 static_cast<int>(serial.size()), nullptr));
    time_t t = std::chrono::system_clock::to_time_t(now);
    if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) ||
        !X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, -3600, &t) ||
        !X509_time_adj_ex(X509_getm_notAfter(cert.get()), 7, 0, &t))
        return fail(alpn_error("cannot set serial or validity"));
    X509_NAME* name = X509_get_subject_name(cert.get());
    if (identifier.size() <= 64 &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(identifier.data()),
                                   static_cast<int>(identifier.size()), -1, 0) != 1)
        return fail(alpn_error("cannot set the subject"));
    if (X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), out.key.native()) != 1)
        return fail(alpn_error("cannot set issuer or key"));
    auto san = san_extension(identifier);
    auto acme_id = acme_identifier_extension(digest);
    if (!san || !acme_id || X509_add_ext(cert.get(), san.get(), -1) != 1 ||
        X509_add_ext(cert.get(), acme_id.get(), -1) != 1)
        return fail(alpn_error("cannot add the extensions"));
    if (X509_sign(cert.get(), out.key.native(), EVP_sha256()) <= 0) return fail(alpn_error("signing failed"));
    unsigned char* der = nullptr;
    const int n = i2d_X509(cert.get(), &der);
    if (n <= 0) return fail(alpn_error("DER encoding failed"));
    out.cert_der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return out;
}

}  // namespace gk::acme
