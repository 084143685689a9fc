// Reading a key back: JWK components, sizes, whether it holds a private part.
#include <openssl/core_names.h>
#include <openssl/err.h>

#include <array>

#include "crypto/evp_ptr.hpp"
#include "crypto/key_internal.hpp"
#include "gatekeeper/crypto/key.hpp"

namespace gk::crypto {
namespace {

// Minimal big-endian bytes of a BIGNUM parameter ("" when absent); padded to
// `pad` bytes when pad > 0 (EC coordinates and scalars are fixed-size).
std::string bn_param(const EVP_PKEY* pkey, const char* name, int pad = 0) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
        ERR_clear_error();
        return {};
    }
    detail::SecretBnPtr bn(raw);
    const int size = pad > 0 ? pad : BN_num_bytes(bn.get());
    std::string out(static_cast<std::size_t>(size), '\0');
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    if ((pad > 0 ? BN_bn2binpad(bn.get(), p, pad) : BN_bn2bin(bn.get(), p)) != size) return {};
    return out;
}

std::string octet_param(const EVP_PKEY* pkey, const char* name) {
    std::array<unsigned char, 64> buf{};
    std::size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(pkey, name, buf.data(), buf.size(), &len) != 1) {
        ERR_clear_error();
        return {};
    }
    std::string out(reinterpret_cast<const char*>(buf.data()), len);
    OPENSSL_cleanse(buf.data(), buf.size());
    return out;
}

}  // namespace

bool Key::has_private() const noexcept {
    if (type_ == KeyType::oct) return !secret_.empty();
    return detail::has_private(pkey_.get(), type_);
}

int Key::bits() const noexcept {
    switch (type_) {
        case KeyType::oct:
            return static_cast<int>(secret_.size() * 8);
        case KeyType::ed25519:
            return pkey_ ? 256 : 0;
        case KeyType::rsa:
        case KeyType::ec:
            return pkey_ ? EVP_PKEY_get_bits(pkey_.get()) : 0;
    }
    return 0;
}

bool Key::weak() const noexcept {
    switch (type_) {
        case KeyType::oct:
            return secret_.size() < 32;
        case KeyType::rsa:
            return bits() < detail::kMinRsaBits;
        case KeyType::ec:
        case KeyType::ed25519:
            return false;
    }
    return true;
}

RsaComponents Key::rsa_components(bool with_private) const {
    RsaComponents c;
    if (type_ != KeyType::rsa || !pkey_) return c;
    const EVP_PKEY* k = pkey_.get();
    c.n = bn_param(k, OSSL_PKEY_PARAM_RSA_N);
    c.e = bn_param(k, OSSL_PKEY_PARAM_RSA_E);
    if (with_private && has_private()) {
        c.d = bn_param(k, OSSL_PKEY_PARAM_RSA_D);
        c.p = bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR1);
        c.q = bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR2);
        c.dp = bn_param(k, OSSL_PKEY_PARAM_RSA_EXPONENT1);
        c.dq = bn_param(k, OSSL_PKEY_PARAM_RSA_EXPONENT2);
        c.qi = bn_param(k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
    }
    return c;
}

Key::Point Key::point(bool with_private) const {
    Point p;
    if (!pkey_) return p;
    const EVP_PKEY* k = pkey_.get();
    if (type_ == KeyType::ec) {
        const int n = static_cast<int>(coordinate_size(curve_));
        p.x = bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, n);
        p.y = bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, n);
        if (with_private && has_private()) p.d = Secret(bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, n));
    } else if (type_ == KeyType::ed25519) {
        p.x = octet_param(k, OSSL_PKEY_PARAM_PUB_KEY);
        if (with_private && has_private()) p.d = Secret(octet_param(k, OSSL_PKEY_PARAM_PRIV_KEY));
    }
    return p;
}

}  // namespace gk::crypto
