// PKCS#10 certificate requests for ACME finalize (RFC 8555 section 7.4):
// the host names as DNS SANs, the first also as the CN, SHA-256 signature.
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "gatekeeper/acme/request.hpp"

namespace gk::acme {
namespace {

struct ReqFree { void operator()(X509_REQ* p) const { X509_REQ_free(p); } };
struct NamesFree { void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); } };
struct ExtsFree { void operator()(STACK_OF(X509_EXTENSION)* p) const { sk_X509_EXTENSION_pop_free(p, X509_EXTENSION_free); } };

AcmeError csr_error(std::string what) { return AcmeError{"protocol", "CSR: " + std::move(what), 0, {}}; }

}  // namespace

Result<std::string, AcmeError> make_csr(const crypto::Key& cert_key, const std::vector<std::string>& hosts) {
    if (hosts.empty()) return fail(csr_error("no host names"));
    if (!cert_key.native() || !cert_key.has_private()) return fail(csr_error("the certificate key has no private part"));
    std::unique_ptr<X509_REQ, ReqFree> req(X509_REQ_new());
    if (!req || X509_REQ_set_version(req.get(), 0) != 1) return fail(csr_error("X509_REQ_new failed"));
    X509_NAME* subject = X509_REQ_get_subject_name(req.get());
    if (hosts.front().size() <= 64 &&
        X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(hosts.front().c_str()), -1, -1, 0) != 1)
        return fail(csr_error("cannot set the subject"));
    std::unique_ptr<GENERAL_NAMES, NamesFree> names(sk_GENERAL_NAME_new_null());
    for (const auto& h : hosts) {
        GENERAL_NAME* gn = GENERAL_NAME_new();
        ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
        if (!gn || !ia5 || ASN1_STRING_set(ia5, h.data(), static_cast<int>(h.size())) != 1) {
            GENERAL_NAME_free(gn);
            ASN1_IA5STRING_free(ia5);
            return fail(csr_error("out of memory"));
        }
        GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
        sk_GENERAL_NAME_push(names.get(), gn);
    }
    std::unique_ptr<STACK_OF(X509_EXTENSION), ExtsFree> exts(sk_X509_EXTENSION_new_null());
    X509_EXTENSION* san = X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get());
    if (!san) return fail(csr_error("cannot encode the SANs"));
    sk_X509_EXTENSION_push(exts.get(), san);
    if (X509_REQ_add_extensions(req.get(), exts.get()) != 1) return fail(csr_error("cannot add the SANs"));
    if (X509_REQ_set_pubkey(req.get(), cert_key.native()) != 1) return fail(csr_error("cannot set the key"));
    if (X509_REQ_sign(req.get(), cert_key.native(), EVP_sha256()) <= 0) return fail(csr_error("signing failed"));
    unsigned char* der = nullptr;
    const int n = i2d_X509_REQ(req.get(), &der);
    if (n <= 0) return fail(csr_error("DER encoding failed"));
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return out;
}

}  // namespace gk::acme
