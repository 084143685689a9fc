#pragma once
// Shared by jwk.cpp, jwks.cpp and the JWS code (internal to jose/).
#include <boost/json/object.hpp>
#include <cstddef>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/crypto/signature.hpp"
#include "gatekeeper/jose/error.hpp"
#include "gatekeeper/jose/jwk.hpp"

namespace gk::jose::detail {

// RFC 7518 section 3.2: an HMAC key at least as long as the hash output.
std::size_t min_hmac_bytes(crypto::SigAlg alg) noexcept;

// crypto::key_fits (type, curve, RSA size) plus the HMAC key length rule.
bool alg_fits(crypto::SigAlg alg, const crypto::Key& key) noexcept;

// One JWK object already parsed by parse_object (duplicates checked).
Result<Jwk, JoseError> jwk_from_object(const boost::json::object& o);

// `use` absent or "sig", and `key_ops` absent or containing "verify".
bool usable_for_verify(const Jwk& jwk) noexcept;

}  // namespace gk::jose::detail
