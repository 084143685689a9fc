// The signature check. The verifier, not the token, decides: the algorithm
// must be allowed, and each candidate key must itself accept it (key type,
// curve, size, its own `alg`, `use`, `key_ops`), so an RSA public key can
// never act as an HMAC secret whatever the header says.
#include <algorithm>

#include "gatekeeper/jose/jws.hpp"

namespace gk::jose {

Result<Ok, JoseError> verify_jws(const Jws& jws, const JwkSet& keys,
                                 std::span<const crypto::SigAlg> allowed) {
    const crypto::SigAlg alg = jws.header.alg;
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), alg) == allowed.end()) {
        return fail(JoseError::alg_not_allowed);
    }
    const auto candidates = keys.candidates(jws.header.kid, alg);
    if (candidates.empty()) return fail(JoseError::no_key);
    for (const Jwk* k : candidates) {
        if (crypto::verify(alg, k->key, jws.signing_input, jws.signature)) return Ok{};
    }
    return fail(JoseError::bad_signature);
}

}  // namespace gk::jose
