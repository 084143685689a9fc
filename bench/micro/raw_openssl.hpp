#pragma once
// The raw OpenSSL baselines the verify benchmarks compare gatekeeper against:
// what a caller holding the EVP_PKEY (or HMAC secret) and the signature in
// OpenSSL's own form (DER for ECDSA) would write. SHA-256 algorithms only.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <stdexcept>
#include <string>

#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/crypto/signature.hpp"

namespace gk::bench {

using gk::crypto::Key;
using gk::crypto::SigAlg;

// JOSE R||S -> DER, done once outside the timed loop.
inline std::string to_der(const std::string& jose) {
    const int half = static_cast<int>(jose.size() / 2);
    const auto* p = reinterpret_cast<const unsigned char*>(jose.data());
    ECDSA_SIG* s = ECDSA_SIG_new();
    ECDSA_SIG_set0(s, BN_bin2bn(p, half, nullptr), BN_bin2bn(p + half, half, nullptr));
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(s, &der);
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    ECDSA_SIG_free(s);
    return out;
}

inline bool raw_digest_verify(SigAlg alg, EVP_PKEY* pkey, const std::string& data, const std::string& sig) {
    const EVP_MD* md = alg == SigAlg::eddsa ? nullptr : EVP_sha256();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    bool ok = EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, pkey) == 1;
    if (ok && alg == SigAlg::ps256) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
    }
    ok = ok && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

// What `openssl speed ecdsap256` times, the yardstick of scenario 4b: a
// verify context set up once, then EVP_PKEY_verify of a digest computed
// outside. No hashing, no per-call set-up: the floor a JWT verify cannot beat
// with OpenSSL's ECDSA.
class PreparedVerify {
public:
    explicit PreparedVerify(EVP_PKEY* pkey) : ctx_(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr)) {
        if (ctx_ == nullptr || EVP_PKEY_verify_init(ctx_) != 1) throw std::runtime_error("EVP_PKEY_verify_init");
    }
    PreparedVerify(const PreparedVerify&) = delete;
    PreparedVerify& operator=(const PreparedVerify&) = delete;
    ~PreparedVerify() { EVP_PKEY_CTX_free(ctx_); }

    bool verify(const std::string& der_sig, const unsigned char* digest, std::size_t len) const {
        return EVP_PKEY_verify(ctx_, reinterpret_cast<const unsigned char*>(der_sig.data()), der_sig.size(),
                               digest, len) == 1;
    }

private:
    EVP_PKEY_CTX* ctx_;
};

inline bool raw_hmac_verify(const Key& key, const std::string& data, const std::string& tag) {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    char sha256[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, sha256, 0),
                                 OSSL_PARAM_construct_end()};
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    unsigned char out[64];
    std::size_t len = 0;
    const auto secret = key.secret().reveal();
    bool ok = EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                           params) == 1 &&
              EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
              EVP_MAC_final(ctx, out, &len, sizeof out) == 1;
    EVP_MAC_CTX_free(ctx);
    return ok && len == tag.size() && CRYPTO_memcmp(out, tag.data(), len) == 0;
}

}  // namespace gk::bench
