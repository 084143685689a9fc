// Message digests and HMAC through the OpenSSL 3 provider API (EVP_MD_fetch,
// EVP_MAC), never the deprecated low-level SHA256()/HMAC_CTX calls.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <stdexcept>

#include "crypto/evp_ptr.hpp"
#include "gatekeeper/crypto/crypto.hpp"

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

std::string hmac(DigestAlg alg, std::string_view key, std::string_view data) {
    detail::MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    if (!mac) fail_openssl("EVP_MAC_fetch");
    detail::MacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
    if (!ctx) fail_openssl("EVP_MAC_CTX_new");
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(md_name(alg)), 0),
        OSSL_PARAM_construct_end(),
    };
    // EVP_MAC_init treats a null key as "keep the previous key"; an empty key
    // must still be a real (zero-length) key, so always pass a valid pointer.
    static constexpr unsigned char kEmpty[1] = {0};
    const auto* key_ptr = key.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(key.data());
    if (EVP_MAC_init(ctx.get(), key_ptr, key.size(), params) != 1 ||
        EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
        fail_openssl("HMAC init/update");
    }
    std::string out(EVP_MAC_CTX_get_mac_size(ctx.get()), '\0');
    std::size_t len = 0;
    if (EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, out.size()) != 1) {
        fail_openssl("EVP_MAC_final");
    }
    out.resize(len);
    return out;
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
