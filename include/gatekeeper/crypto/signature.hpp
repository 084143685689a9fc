#pragma once
// Signatures and MACs over OpenSSL 3 EVP, with the algorithms JOSE names
// (RFC 7518 section 3, RFC 8037). Signatures are in JOSE form: ECDSA is the
// fixed-size R||S concatenation (section 3.4), never DER.
#include <optional>
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/crypto/key.hpp"

namespace gk::crypto {

enum class SigAlg { hs256, hs384, hs512, rs256, rs384, rs512, ps256, ps384, ps512, es256, es384, es512, eddsa };

// "HS256", ..., "EdDSA" (exact JOSE spelling).
const char* jose_name(SigAlg) noexcept;
// Case-sensitive, exact; "none" and anything unknown -> nullopt.
std::optional<SigAlg> sig_alg_from_jose_name(std::string_view name) noexcept;

// The key type an algorithm needs, and for ES* the curve (ES256 <-> P-256,
// ES384 <-> P-384, ES512 <-> P-521).
KeyType key_type_for(SigAlg) noexcept;
Curve curve_for(SigAlg) noexcept;
// True when `key` can serve `alg`: same type, matching curve, RSA >= 2048 bits.
bool key_fits(SigAlg alg, const Key& key) noexcept;

enum class SignError { key_mismatch, no_private_key, openssl };
const char* to_string(SignError) noexcept;

// False for every failure: wrong key type or curve, wrong length, ECDSA r or s
// zero or >= n, bad padding. HMAC is compared in constant time.
bool verify(SigAlg alg, const Key& key, std::string_view data, std::string_view signature) noexcept;
Result<std::string, SignError> sign(SigAlg alg, const Key& key, std::string_view data);

}  // namespace gk::crypto
