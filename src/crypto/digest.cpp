// Message digests and HMAC through the OpenSSL 3 provider API (EVP_MD_fetch,
// EVP_MAC), never the deprecated low-level SHA256()/HMAC_CTX calls.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <stdexcept>

#include "crypto/evp_ptr.hpp"
#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/crypto/hmac_key.hpp"

namespace gk::crypto {
namespace {

// Provider algorithm names (OpenSSL 3 "fetch" names).
const char* md_name(DigestAlg alg) noexcept {
    switch (alg) {
        case DigestAlg::md5: return "MD5";
        case DigestAlg::sha1: return "SHA1";
        case DigestAlg::sha256: return "SHA256";
        case DigestAlg::sha384: return "SHA384";
        case DigestAlg::sha512: return "SHA512";
        case DigestAlg::sha512_256: return "SHA512-256";
    }
    return "SHA256";  // unreachable for valid enumerators
}

// A failure here means OpenSSL itself is broken or misconfigured (e.g. MD5 removed
// by a FIPS-only provider set): an edge condition, reported by exception.
[[noreturn]] void fail_openssl(const char* what) {
    throw std::runtime_error(std::string("gk::crypto: ") + what + " failed");
}

// Fetched once per algorithm: a fetch costs about as much as hashing a short
// input (the token cache hashes every Bearer token), and fetched EVP_MDs are
// immutable, safe to share between threads. A null entry (e.g. MD5 under a
// FIPS-only provider set) stays null and every call reports it.
const EVP_MD* fetched_md(DigestAlg alg) {
    static const auto table = [] {
        std::array<detail::MdPtr, 6> t;
        for (auto a : {DigestAlg::md5, DigestAlg::sha1, DigestAlg::sha256, DigestAlg::sha384, DigestAlg::sha512,
                       DigestAlg::sha512_256})
            t[static_cast<std::size_t>(a)].reset(EVP_MD_fetch(nullptr, md_name(a), nullptr));
        return t;
    }();
    return table[static_cast<std::size_t>(alg)].get();
}

}  // namespace

std::string digest(DigestAlg alg, std::string_view data) {
    const EVP_MD* md = fetched_md(alg);
    if (!md) fail_openssl("EVP_MD_fetch");
    detail::MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx) fail_openssl("EVP_MD_CTX_new");
    std::string out(static_cast<std::size_t>(EVP_MD_get_size(md)), '\0');
    unsigned int len = 0;
    if (EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len) != 1) {
        fail_openssl("digest");
    }
    out.resize(len);
    return out;
}

namespace {

// The HMAC EVP_MAC, fetched once (fetched objects are immutable and shareable).
const EVP_MAC* fetched_hmac() {
    static const detail::MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    return mac.get();
}

// Per digest, an HMAC context with the digest already set and no key yet: the
// digest-by-name lookup in EVP_MAC_init's params is paid once per process.
// Only ever read (EVP_MAC_CTX_dup takes a const source), so shared by threads.
// A null entry (HMAC or the digest unavailable) stays null; callers report it.
const EVP_MAC_CTX* hmac_template(DigestAlg alg) {
    static const auto table = [] {
        std::array<detail::MacCtxPtr, 6> t;
        const EVP_MAC* mac = fetched_hmac();
        if (!mac) return t;
        for (auto a : {DigestAlg::md5, DigestAlg::sha1, DigestAlg::sha256, DigestAlg::sha384, DigestAlg::sha512,
                       DigestAlg::sha512_256}) {
            detail::MacCtxPtr ctx(EVP_MAC_CTX_new(const_cast<EVP_MAC*>(mac)));
            const OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(md_name(a)), 0),
                OSSL_PARAM_construct_end(),
            };
            if (ctx && EVP_MAC_CTX_set_params(ctx.get(), params) == 1) t[static_cast<std::size_t>(a)] = std::move(ctx);
        }
        return t;
    }();
    return table[static_cast<std::size_t>(alg)].get();
}

// A fresh context keyed with `key`, from the per-digest template.
detail::MacCtxPtr keyed_hmac_ctx(DigestAlg alg, std::string_view key) {
    const EVP_MAC_CTX* tmpl = hmac_template(alg);
    if (!tmpl) fail_openssl("EVP_MAC_fetch(HMAC)");
    detail::MacCtxPtr ctx(EVP_MAC_CTX_dup(tmpl));
    if (!ctx) fail_openssl("EVP_MAC_CTX_dup");
    // EVP_MAC_init treats a null key as "keep the previous key"; an empty key
    // must still be a real (zero-length) key, so always pass a valid pointer.
    static constexpr unsigned char kEmpty[1] = {0};
    const auto* key_ptr = key.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(key.data());
    if (EVP_MAC_init(ctx.get(), key_ptr, key.size(), nullptr) != 1) fail_openssl("EVP_MAC_init");
    return ctx;
}

// Feeds `data` to a keyed context and returns the tag.
std::string finish_hmac(EVP_MAC_CTX* ctx, std::string_view data) {
    if (EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
        fail_openssl("EVP_MAC_update");
    }
    std::string out(EVP_MAC_CTX_get_mac_size(ctx), '\0');
    std::size_t len = 0;
    if (EVP_MAC_final(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, out.size()) != 1) {
        fail_openssl("EVP_MAC_final");
    }
    out.resize(len);
    return out;
}

}  // namespace

std::string hmac(DigestAlg alg, std::string_view key, std::string_view data) {
    auto ctx = keyed_hmac_ctx(alg, key);
    return finish_hmac(ctx.get(), data);
}

void HmacKey::CtxFree::operator()(evp_mac_ctx_st* p) const noexcept { EVP_MAC_CTX_free(p); }

HmacKey::HmacKey(DigestAlg alg, std::string_view key) : alg_(alg), ctx_(keyed_hmac_ctx(alg, key).release()) {
    size_ = EVP_MAC_CTX_get_mac_size(ctx_.get());
}

HmacKey::HmacKey(const HmacKey& other) : alg_(other.alg_), size_(other.size_) {
    if (other.ctx_) {
        ctx_.reset(EVP_MAC_CTX_dup(other.ctx_.get()));
        if (!ctx_) fail_openssl("EVP_MAC_CTX_dup");
    }
}

HmacKey& HmacKey::operator=(const HmacKey& other) {
    if (this != &other) *this = HmacKey(other);
    return *this;
}

std::string HmacKey::mac(std::string_view data) const {
    if (!ctx_) fail_openssl("HmacKey::mac on a moved-from key");
    detail::MacCtxPtr ctx(EVP_MAC_CTX_dup(ctx_.get()));
    if (!ctx) fail_openssl("EVP_MAC_CTX_dup");
    return finish_hmac(ctx.get(), data);
}

std::string to_hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0f]);
    }
    return out;
}

}  // namespace gk::crypto
