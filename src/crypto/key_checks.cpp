// What every asymmetric key goes through before it becomes a Key, whatever it
// was built from (JWK components, PEM, generation).
#include <openssl/core_names.h>
#include <openssl/err.h>

#include <array>

#include "crypto/evp_ptr.hpp"
#include "crypto/key_internal.hpp"

namespace gk::crypto::detail {

Result<KeyKind, KeyError> classify(const EVP_PKEY* pkey) noexcept {
    if (pkey == nullptr) return fail(KeyError::openssl);
    // EVP_PKEY_is_a, not the base id: a provider-only key has no legacy id.
    if (EVP_PKEY_is_a(pkey, "RSA")) return KeyKind{KeyType::rsa, Curve::none};
    if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyKind{KeyType::ed25519, Curve::none};
    if (EVP_PKEY_is_a(pkey, "EC")) {
        // Explicit curve parameters have no group name: refused (they are how
        // curve-substitution attacks get in).
        std::array<char, 64> name{};
        std::size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name.data(), name.size(),
                                           &len) != 1) {
            return fail(KeyError::unsupported);
        }
        const Curve c = curve_from_group_name(std::string_view(name.data(), len));
        if (c == Curve::none) return fail(KeyError::unsupported);
        return KeyKind{KeyType::ec, c};
    }
    return fail(KeyError::unsupported);
}

bool has_private(const EVP_PKEY* pkey, KeyType type) noexcept {
    if (pkey == nullptr) return false;
    switch (type) {
        case KeyType::rsa: {
            BIGNUM* d = nullptr;
            const bool ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d) == 1;
            BN_clear_free(d);
            return ok;
        }
        case KeyType::ec: {
            BIGNUM* d = nullptr;
            const bool ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1;
            BN_clear_free(d);
            return ok;
        }
        case KeyType::ed25519: {
            std::size_t len = 0;
            return EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, nullptr, 0, &len) == 1 &&
                   len > 0;
        }
        case KeyType::oct:
            break;
    }
    return false;
}

Result<Ok, KeyError> check_key(EVP_PKEY* pkey, KeyKind kind) noexcept {
    const bool priv = has_private(pkey, kind.type);
    if (kind.type == KeyType::rsa) {
        const int bits = EVP_PKEY_get_bits(pkey);
        if (bits > kMaxRsaBits) return fail(KeyError::bad_component);
        if (bits < kMinRsaBits) return fail(KeyError::weak);
    }
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (!ctx) return fail(KeyError::openssl);
    Result<Ok, KeyError> result = Ok{};
    if (kind.type == KeyType::ec && EVP_PKEY_public_check(ctx.get()) != 1) {
        // On the curve, not the point at infinity, of the group's order.
        result = fail(KeyError::point_not_on_curve);
    } else if (priv && kind.type == KeyType::ec && EVP_PKEY_private_check(ctx.get()) != 1) {
        result = fail(KeyError::bad_component);  // scalar outside [1, n-1]
    } else if (priv && EVP_PKEY_pairwise_check(ctx.get()) != 1) {
        // EC: d*G == Q. RSA: n == p*q, d*e == 1 mod lcm(p-1, q-1), CRT parts,
        // and the SP 800-56B public checks (e odd, 2^16 < e < 2^256).
        // Ed25519 keys built from a seed derive their public half (see key_build.cpp).
        result = fail(KeyError::inconsistent);
    }
    ERR_clear_error();  // a refused key leaves OpenSSL errors behind; they are reported as values
    return result;
}

}  // namespace gk::crypto::detail
