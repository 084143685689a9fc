#pragma once
// A keyed HMAC prepared once: the HMAC algorithm is fetched and the key schedule
// (the ipad/opad digest states) computed in the constructor, so each mac() is a
// context copy plus the hashing of `data`. crypto::hmac() instead pays an
// algorithm fetch, a digest lookup by name and the key schedule on every call.
//
// Thread safety: mac() is const and safe to call from any number of threads at
// once on the same HmacKey (each call works on its own copy of the prepared
// context, EVP_MAC_CTX_dup, which only reads the source).
//
// Errors: OpenSSL failing here means OpenSSL itself is broken or out of memory,
// an edge condition reported the same way as crypto::digest()/hmac(): the
// constructor and mac() throw std::runtime_error and never return a partial or
// empty tag (fail closed). A moved-from HmacKey is empty; mac() on it throws.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "gatekeeper/crypto/crypto.hpp"

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX; <openssl/*> stays out of public headers

namespace gk::crypto {

class HmacKey {
public:
    // An empty key is a real zero-length key (as for crypto::hmac()).
    HmacKey(DigestAlg alg, std::string_view key);

    HmacKey(const HmacKey& other);
    HmacKey& operator=(const HmacKey& other);
    HmacKey(HmacKey&&) noexcept = default;
    HmacKey& operator=(HmacKey&&) noexcept = default;
    ~HmacKey() = default;

    // The full tag, same bytes as crypto::hmac(alg, key, data).
    [[nodiscard]] std::string mac(std::string_view data) const;
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] DigestAlg alg() const noexcept { return alg_; }

private:
    struct CtxFree {
        void operator()(evp_mac_ctx_st* p) const noexcept;
    };
    DigestAlg alg_;
    std::size_t size_ = 0;
    std::unique_ptr<evp_mac_ctx_st, CtxFree> ctx_;  // initialised with the key; never updated
};

}  // namespace gk::crypto
