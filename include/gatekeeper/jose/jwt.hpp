#pragma once
// A JWT access token checked end to end: size, syntax, typ, signature, claims.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/jose/claims.hpp"
#include "gatekeeper/jose/error.hpp"
#include "gatekeeper/jose/jwk.hpp"
#include "gatekeeper/jose/jws.hpp"

namespace gk::jose {

// The whole JWT check in one call (Envoy's verifyJwt): parse, typ, signature,
// claims. On success the verified claims.
struct JwtRules {
    std::size_t max_bytes = kDefaultMaxTokenBytes;
    std::vector<crypto::SigAlg> algorithms;  // allowed; empty = all implemented
    std::string typ;                         // required header typ (compared case-insensitively,
                                             // "application/" prefix optional); empty = any
    ClaimRules claims;
};
Result<Claims, JoseError> verify_jwt(std::string_view token, const JwkSet& keys, const JwtRules& rules,
                                     std::chrono::system_clock::time_point now);

}  // namespace gk::jose
