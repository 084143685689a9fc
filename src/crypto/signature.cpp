// verify() and sign() for every JOSE signature algorithm, over EVP_DigestVerify /
// EVP_DigestSign. The key decides what is possible: key_fits() runs first and
// an unfit key verifies nothing.
#include "gatekeeper/crypto/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <array>

#include "crypto/evp_ptr.hpp"
#include "crypto/signature_internal.hpp"

namespace gk::crypto {
namespace detail {

const EVP_MD* md_for(SigAlg alg) noexcept {
    // The built-in EVP_MD objects: no fetch per call.
    switch (alg) {
        case SigAlg::hs256:
        case SigAlg::rs256:
        case SigAlg::ps256:
        case SigAlg::es256:
            return EVP_sha256();
        case SigAlg::hs384:
        case SigAlg::rs384:
        case SigAlg::ps384:
        case SigAlg::es384:
            return EVP_sha384();
        case SigAlg::hs512:
        case SigAlg::rs512:
        case SigAlg::ps512:
        case SigAlg::es512:
            return EVP_sha512();
        case SigAlg::eddsa:
            return nullptr;
    }
    return nullptr;
}

}  // namespace detail
namespace {

bool is_pss(SigAlg alg) noexcept {
    return alg == SigAlg::ps256 || alg == SigAlg::ps384 || alg == SigAlg::ps512;
}

const unsigned char* bytes(std::string_view s) noexcept {
    return reinterpret_cast<const unsigned char*>(s.data());
}

// RSASSA-PSS as RFC 7518 section 3.5 fixes it: MGF1 with the message hash and
// a salt as long as the hash. For verify, RSA_PSS_SALTLEN_DIGEST means "exactly
// the hash length", not "anything" (RSA_PSS_SALTLEN_AUTO would).
bool set_pss(EVP_PKEY_CTX* pctx, const EVP_MD* md) noexcept {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
}

bool digest_verify(SigAlg alg, EVP_PKEY* pkey, std::string_view data, const unsigned char* sig,
                   std::size_t sig_len) noexcept {
    detail::MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    const EVP_MD* md = detail::md_for(alg);
    const bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey) == 1 &&
                    (!is_pss(alg) || set_pss(pctx, md)) &&
                    EVP_DigestVerify(ctx.get(), sig, sig_len, bytes(data), data.size()) == 1;
    if (!ok) ERR_clear_error();
    return ok;
}

bool verify_hmac(SigAlg alg, const Key& key, std::string_view data, std::string_view signature) noexcept {
    std::array<unsigned char, detail::kMaxHmacSize> mac{};
    const std::size_t len = detail::hmac_into(alg, key.secret().reveal(), data, mac.data());
    // The length of a MAC is public (it follows from alg); only then compare
    // the content, in constant time. A truncated tag is never a JOSE tag.
    const bool ok =
        len != 0 && signature.size() == len && CRYPTO_memcmp(mac.data(), signature.data(), len) == 0;
    OPENSSL_cleanse(mac.data(), mac.size());
    return ok;
}

}  // namespace

bool verify(SigAlg alg, const Key& key, std::string_view data, std::string_view signature) noexcept {
    if (!key_fits(alg, key)) return false;
    switch (key.type()) {
        case KeyType::oct:
            return verify_hmac(alg, key, data, signature);
        case KeyType::ec: {
            // JOSE R||S only; DER (or any other length) never reaches OpenSSL.
            std::array<unsigned char, detail::kMaxEcdsaDer> der{};
            const std::size_t len = detail::ecdsa_jose_to_der(key.curve(), signature, der.data());
            if (len == 0) return false;
            // key_fits() tied alg to the curve, so the prepared hash is alg's.
            if (EVP_PKEY_CTX* prepared = key.prepared_verify())
                return detail::ecdsa_verify_prepared(prepared, key.curve(), data, der.data(), len);
            return digest_verify(alg, key.native(), data, der.data(), len);
        }
        case KeyType::rsa:
            // RFC 8017 section 8.2.2 step 1: exactly the modulus length.
            if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.native()))) return false;
            return digest_verify(alg, key.native(), data, bytes(signature), signature.size());
        case KeyType::ed25519:
            if (signature.size() != 64) return false;  // RFC 8032 section 5.1.7
            return digest_verify(alg, key.native(), data, bytes(signature), signature.size());
    }
    return false;
}

Result<std::string, SignError> sign(SigAlg alg, const Key& key, std::string_view data) {
    if (!key_fits(alg, key)) return fail(SignError::key_mismatch);
    if (!key.has_private()) return fail(SignError::no_private_key);
    if (key.type() == KeyType::oct) {
        std::array<unsigned char, detail::kMaxHmacSize> mac{};
        const std::size_t len = detail::hmac_into(alg, key.secret().reveal(), data, mac.data());
        if (len == 0) return fail(SignError::openssl);
        std::string out(reinterpret_cast<const char*>(mac.data()), len);
        OPENSSL_cleanse(mac.data(), mac.size());
        return out;
    }

    detail::MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    const EVP_MD* md = detail::md_for(alg);
    std::size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key.native()) != 1 ||
        (is_pss(alg) && !set_pss(pctx, md)) ||
        EVP_DigestSign(ctx.get(), nullptr, &len, bytes(data), data.size()) != 1) {
        ERR_clear_error();
        return fail(SignError::openssl);
    }
    std::string out(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, bytes(data),
                       data.size()) != 1) {
        ERR_clear_error();
        return fail(SignError::openssl);
    }
    out.resize(len);
    if (key.type() != KeyType::ec) return out;
    std::string jose = detail::ecdsa_der_to_jose(key.curve(), bytes(out), out.size());
    if (jose.empty()) return fail(SignError::openssl);
    return jose;
}

}  // namespace gk::crypto
