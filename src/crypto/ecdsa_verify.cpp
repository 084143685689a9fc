// ECDSA verification from a context prepared once per key. What
// EVP_DigestVerifyInit + EVP_DigestVerify do per call (a new EVP_PKEY_CTX,
// the signature algorithm and the digest fetched by name, the key's provider
// data looked up) is done once in prepare_ecdsa_verify; per signature only a
// digest and EVP_PKEY_verify on a duplicate of the prepared context remain.
#include <openssl/err.h>

#include "crypto/evp_ptr.hpp"
#include "crypto/signature_internal.hpp"

namespace gk::crypto::detail {
namespace {

// Fetched once per process and deliberately never freed (OpenSSL's atexit
// cleanup may run before static destructors would).
const EVP_MD* curve_digest(Curve curve) noexcept {
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
    static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
    switch (curve) {
        case Curve::p256:  // RFC 7518 section 3.4: ES256 = P-256 + SHA-256, and so on
            return sha256;
        case Curve::p384:
            return sha384;
        case Curve::p521:
            return sha512;
        case Curve::none:
            break;
    }
    return nullptr;
}

}  // namespace

std::shared_ptr<EVP_PKEY_CTX> prepare_ecdsa_verify(EVP_PKEY* pkey, Curve curve) noexcept {
    const EVP_MD* md = curve_digest(curve);
    if (pkey == nullptr || md == nullptr) return nullptr;
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    // The digest set here makes EVP_PKEY_verify refuse a digest of any other length.
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1) {
        ERR_clear_error();
        return nullptr;
    }
    return std::shared_ptr<EVP_PKEY_CTX>(ctx.release(), EVP_PKEY_CTX_free);
}

bool ecdsa_verify_prepared(EVP_PKEY_CTX* prepared, Curve curve, std::string_view data, const unsigned char* der,
                           std::size_t der_len) noexcept {
    const EVP_MD* md = curve_digest(curve);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    // A duplicate per call: EVP_PKEY_CTX is not documented as safe to use from
    // several threads at once, and the prepared one is shared by every copy of the key.
    PkeyCtxPtr ctx(prepared != nullptr ? EVP_PKEY_CTX_dup(prepared) : nullptr);
    const bool ok = ctx && md != nullptr &&
                    EVP_Digest(data.data(), data.size(), digest, &digest_len, md, nullptr) == 1 &&
                    EVP_PKEY_verify(ctx.get(), der, der_len, digest, digest_len) == 1;
    if (!ok) ERR_clear_error();
    return ok;
}

}  // namespace gk::crypto::detail
