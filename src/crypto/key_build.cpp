// Keys from JWK components (RFC 7518 section 6, RFC 8037 section 2), built
// with OSSL_PARAM_BLD + EVP_PKEY_fromdata; never the deprecated RSA_*/EC_KEY_*.
#include <openssl/core_names.h>
#include <openssl/err.h>

#include <array>
#include <cstring>
#include <initializer_list>
#include <utility>

#include "crypto/evp_ptr.hpp"
#include "crypto/key_internal.hpp"
#include "crypto/signature_internal.hpp"
#include "gatekeeper/crypto/key.hpp"

namespace gk::crypto {
namespace {

using detail::ParamBldPtr;
using detail::ParamPtr;
using detail::PkeyPtr;
using detail::SecretBnPtr;

const unsigned char* bytes(std::string_view s) noexcept {
    return reinterpret_cast<const unsigned char*>(s.data());
}

// JWK integers are minimal big-endian; some producers still prefix a zero
// octet (RFC 7518 section 6.3.1.1 notes it). Accepted and dropped: the value is the same.
std::string_view strip_leading_zeros(std::string_view s) noexcept {
    while (!s.empty() && s.front() == '\0') s.remove_prefix(1);
    return s;
}

// A BIGNUM in secure memory (zeroed on free), for private parts.
SecretBnPtr to_bn(std::string_view be, bool secret) noexcept {
    SecretBnPtr bn(secret ? BN_secure_new() : BN_new());
    if (bn && BN_bin2bn(bytes(be), static_cast<int>(be.size()), bn.get()) == nullptr) bn.reset();
    return bn;
}

PkeyPtr from_params(const char* type, int selection, OSSL_PARAM_BLD* bld) noexcept {
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    if (!params) return nullptr;
    detail::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* pkey = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &pkey, selection, params.get()) != 1) {
        ERR_clear_error();
        return nullptr;
    }
    return PkeyPtr(pkey);
}

}  // namespace

Key Key::adopt(evp_pkey_st* pkey, KeyType type, Curve curve) {
    Key k;
    if (pkey == nullptr) return k;
    k.pkey_.reset(pkey, EVP_PKEY_free);
    if (type == KeyType::ec) k.verify_ctx_ = detail::prepare_ecdsa_verify(pkey, curve);
    k.type_ = type;
    k.curve_ = curve;
    return k;
}

Result<Key, KeyError> Key::rsa(const RsaComponents& c) {
    const std::string_view n = strip_leading_zeros(c.n);
    const std::string_view e = strip_leading_zeros(c.e);
    if (n.empty() || e.empty()) return fail(KeyError::bad_component);
    // An exponent over 64 bits only makes verification slow (OpenSSL refuses
    // them too for moduli over 3072 bits); even exponents and 1 are not RSA.
    if (e.size() > 8 || (e.back() & 1) == 0 || (e.size() == 1 && e[0] == 1))
        return fail(KeyError::bad_component);
    if ((n.back() & 1) == 0 || n.size() * 8 > detail::kMaxRsaBits) return fail(KeyError::bad_component);

    const std::array<std::pair<const char*, const std::string*>, 6> priv = {{
        {OSSL_PKEY_PARAM_RSA_D, &c.d},
        {OSSL_PKEY_PARAM_RSA_FACTOR1, &c.p},
        {OSSL_PKEY_PARAM_RSA_FACTOR2, &c.q},
        {OSSL_PKEY_PARAM_RSA_EXPONENT1, &c.dp},
        {OSSL_PKEY_PARAM_RSA_EXPONENT2, &c.dq},
        {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &c.qi},
    }};
    std::size_t present = 0;
    for (const auto& [name, value] : priv) present += strip_leading_zeros(*value).empty() ? 0 : 1;
    if (present != 0 && present != priv.size()) return fail(KeyError::bad_component);
    const bool is_private = present == priv.size();

    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    SecretBnPtr bn_n = to_bn(n, false), bn_e = to_bn(e, false);
    if (!bld || !bn_n || !bn_e) return fail(KeyError::openssl);
    if (BN_num_bits(bn_n.get()) < detail::kMinRsaBits) return fail(KeyError::weak);
    std::array<SecretBnPtr, 6> priv_bn;
    if (OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
        return fail(KeyError::openssl);
    }
    if (is_private) {
        for (std::size_t i = 0; i < priv.size(); ++i) {
            priv_bn[i] = to_bn(strip_leading_zeros(*priv[i].second), true);
            if (!priv_bn[i] || OSSL_PARAM_BLD_push_BN(bld.get(), priv[i].first, priv_bn[i].get()) != 1) {
                return fail(KeyError::openssl);
            }
        }
    }
    PkeyPtr pkey = from_params("RSA", is_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, bld.get());
    if (!pkey) return fail(KeyError::bad_component);
    const detail::KeyKind kind{KeyType::rsa, Curve::none};
    if (auto checked = detail::check_key(pkey.get(), kind); !checked) return fail(checked.error());
    return adopt(pkey.release(), kind.type, kind.curve);
}

Result<Key, KeyError> Key::ec(Curve curve, std::string_view x, std::string_view y, const Secret& d) {
    const std::size_t n = coordinate_size(curve);
    if (n == 0) return fail(KeyError::unsupported);
    if (x.size() != n || y.size() != n || (!d.empty() && d.size() != n)) return fail(KeyError::bad_component);

    // SEC 1 uncompressed point: 0x04 || X || Y.
    std::array<unsigned char, 1 + 2 * 66> point{};
    point[0] = 0x04;
    std::memcpy(point.data() + 1, x.data(), n);
    std::memcpy(point.data() + 1 + n, y.data(), n);

    // fromdata decodes the point and refuses one off the curve (or with a
    // coordinate >= p); check_key then runs the full public check anyway.
    auto build = [&](bool with_private) -> PkeyPtr {
        ParamBldPtr bld(OSSL_PARAM_BLD_new());
        if (!bld ||
            OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, detail::group_name(curve),
                                            0) != 1 ||
            OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), 1 + 2 * n) !=
                1) {
            return nullptr;
        }
        SecretBnPtr priv;
        if (with_private) {
            priv = to_bn(d.reveal(), true);
            if (!priv ||
                OSSL_PARAM_BLD_push_BN_pad(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get(), n) != 1) {
                return nullptr;
            }
        }
        return from_params("EC", with_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, bld.get());
    };
    PkeyPtr pkey = build(!d.empty());
    if (!pkey) {
        // The point, or (with a private scalar) possibly the scalar: tell which.
        if (d.empty() || !build(false)) return fail(KeyError::point_not_on_curve);
        return fail(KeyError::bad_component);
    }
    const detail::KeyKind kind{KeyType::ec, curve};
    if (auto checked = detail::check_key(pkey.get(), kind); !checked) return fail(checked.error());
    return adopt(pkey.release(), kind.type, kind.curve);
}

Result<Key, KeyError> Key::ed25519(std::string_view x, const Secret& d) {
    constexpr std::size_t kSize = 32;
    if (x.size() != kSize || (!d.empty() && d.size() != kSize)) return fail(KeyError::bad_component);
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld) return fail(KeyError::openssl);
    // With the seed, OpenSSL derives the public key itself; it must then equal x.
    const bool ok =
        d.empty()
            ? OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, x.data(), kSize)
            : OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.reveal().data(), kSize);
    if (ok != 1) return fail(KeyError::openssl);
    PkeyPtr pkey = from_params("ED25519", d.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR, bld.get());
    if (!pkey) return fail(KeyError::bad_component);
    if (!d.empty()) {
        std::array<unsigned char, kSize> derived{};
        std::size_t len = 0;
        if (EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_PUB_KEY, derived.data(),
                                            derived.size(), &len) != 1 ||
            len != kSize) {
            return fail(KeyError::openssl);
        }
        if (std::memcmp(derived.data(), x.data(), kSize) != 0) return fail(KeyError::inconsistent);
    }
    return adopt(pkey.release(), KeyType::ed25519, Curve::none);
}

Key Key::hmac_secret(Secret bytes) {
    Key k;
    k.secret_ = std::move(bytes);
    k.type_ = KeyType::oct;
    return k;
}

}  // namespace gk::crypto
