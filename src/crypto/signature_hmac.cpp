// HMAC for HS256/384/512 through EVP_MAC, fetched once per process (a fetch
// per call costs a lock and a method-store lookup on every token).
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "crypto/evp_ptr.hpp"
#include "crypto/signature_internal.hpp"

namespace gk::crypto::detail {
namespace {

// Deliberately never freed: OpenSSL's own atexit cleanup may already have run
// when static destructors would.
EVP_MAC* hmac_method() noexcept {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
}

char* digest_name(SigAlg alg) noexcept {
    static char sha256[] = "SHA256", sha384[] = "SHA384", sha512[] = "SHA512";
    switch (alg) {
        case SigAlg::hs256:
            return sha256;
        case SigAlg::hs384:
            return sha384;
        case SigAlg::hs512:
            return sha512;
        default:
            return nullptr;
    }
}

}  // namespace

std::size_t hmac_into(SigAlg alg, std::string_view key, std::string_view data, unsigned char* out) noexcept {
    char* md = digest_name(alg);
    EVP_MAC* mac = hmac_method();
    if (md == nullptr || mac == nullptr) return 0;
    MacCtxPtr ctx(EVP_MAC_CTX_new(mac));
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, md, 0),
        OSSL_PARAM_construct_end(),
    };
    // A null key means "keep the previous key" to EVP_MAC_init: pass a real
    // pointer for the empty key (key_fits refuses those anyway).
    static constexpr unsigned char kEmpty[1] = {0};
    const auto* key_ptr = key.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(key.data());
    std::size_t len = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), key_ptr, key.size(), params) != 1 ||
        EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
        EVP_MAC_final(ctx.get(), out, &len, kMaxHmacSize) != 1) {
        ERR_clear_error();
        return 0;
    }
    return len;
}

}  // namespace gk::crypto::detail
