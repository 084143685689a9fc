#pragma once
// Helpers shared by the key_*.cpp files: curve names, classifying an EVP_PKEY
// that came from outside (PEM), and the checks every new key goes through.
#include <openssl/evp.h>

#include <string_view>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/crypto/key.hpp"

namespace gk::crypto::detail {

// OpenSSL group names: "prime256v1", "secp384r1", "secp521r1"; nullptr for none.
const char* group_name(Curve curve) noexcept;
// The inverse, also accepting the NIST spellings ("P-256"); Curve::none if unknown.
Curve curve_from_group_name(std::string_view name) noexcept;

struct KeyKind {
    KeyType type = KeyType::oct;
    Curve curve = Curve::none;
};
// RSA, EC on a named supported curve, or Ed25519; anything else is unsupported
// (RSA-PSS-restricted keys, explicit EC parameters, other curves, X25519...).
Result<KeyKind, KeyError> classify(const EVP_PKEY* pkey) noexcept;

bool has_private(const EVP_PKEY* pkey, KeyType type) noexcept;

// The checks every asymmetric key passes before it becomes a Key: RSA modulus
// size, EC point on the curve, private parts matching the public ones.
Result<Ok, KeyError> check_key(EVP_PKEY* pkey, KeyKind kind) noexcept;

inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 16384;  // OpenSSL's own OPENSSL_RSA_MAX_MODULUS_BITS

}  // namespace gk::crypto::detail
